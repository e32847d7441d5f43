package io.deltascope.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.diff.ActivationDiffResult;
import io.deltascope.diff.CompareResult;
import io.deltascope.model.Layers;
import io.deltascope.results.Tables;
import java.util.List;
import java.util.Locale;

/** activation-diff and compare as terminal text and as JSON, from the same result objects. */
public final class ForwardReports {
  private ForwardReports() {}

  /** The seed tool's table: "Layer Avg Cos Sim Divergence", *** above 0.1 divergence. */
  public static String activationDiffText(ActivationDiffResult result) {
    StringBuilder out = new StringBuilder();
    out.append("Base:      ").append(result.base()).append('\n');
    out.append("Finetuned: ").append(result.finetuned()).append('\n');
    out.append("Prompts:   ").append(result.prompts().size()).append("\n\n");
    out.append(
        String.format(Locale.ROOT, "%-6s %12s %11s%n", "Layer", "Avg Cos Sim", "Divergence"));
    out.append("-".repeat(31)).append('\n');
    for (ActivationDiffResult.LayerCosine l : result.layers()) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-6s %12.6f %11.6f%s%n",
              Layers.label(l.layer()),
              l.avgCosine(),
              l.divergence(),
              l.diverged() ? " ***" : ""));
    }
    out.append("\nLayer embed is the embeddings; layer l the output of block l (as weight-diff")
        .append(" numbers blocks). Cosines at the last token, averaged over prompts; *** marks")
        .append(" divergence above ")
        .append(ActivationDiffResult.FLAG)
        .append(" or a cosine that is not finite.\n");
    if (result.firstNonFiniteLayer() != null) {
      out.append("Warning: ")
          .append(nonFinite(result.firstNonFiniteLayer()))
          .append(": every later layer counts as diverged.\n");
    }
    return out.toString();
  }

  public static ObjectNode activationDiffJson(ActivationDiffResult result) {
    ObjectNode root = JsonReport.MAPPER.createObjectNode();
    root.put("base", result.base());
    root.put("finetuned", result.finetuned());
    root.put("tool_version", Version.get());
    putLayer(root, "first_non_finite_layer", result.firstNonFiniteLayer());
    ArrayNode layers = root.putArray("layers");
    for (ActivationDiffResult.LayerCosine l : result.layers()) {
      ObjectNode node = layers.addObject();
      node.put("layer", l.layer());
      node.put("diverged", l.diverged());
      JsonReport.putDouble(node, Tables.COSINE_LAST_TOKEN, l.avgCosine());
      JsonReport.putDouble(node, Tables.COSINE_ALL_TOKENS, l.avgCosineAllTokens());
      JsonReport.putDouble(node, "divergence", l.divergence());
    }
    ArrayNode prompts = root.putArray("prompts");
    for (ActivationDiffResult.PromptResult p : result.prompts()) {
      ObjectNode node = prompts.addObject();
      node.put("prompt", p.prompt());
      ArrayNode tokens = node.putArray("tokens");
      p.tokens().forEach(tokens::add);
      ArrayNode last = node.putArray(Tables.COSINE_LAST_TOKEN);
      for (double c : p.cosineByLayer()) {
        JsonReport.addDouble(last, c);
      }
      ArrayNode all = node.putArray(Tables.COSINE_ALL_TOKENS);
      for (double c : p.cosineAllTokensByLayer()) {
        JsonReport.addDouble(all, c);
      }
    }
    return root;
  }

  /** Final predictions side by side, tracked tokens, then every layer's top-k of both. */
  public static String compareText(CompareResult result) {
    StringBuilder out = new StringBuilder();
    out.append("Prompt: ").append(quote(result.prompt())).append("\n");
    List<CompareResult.ModelLens> models = result.models();
    for (int m = 0; m < models.size(); m++) {
      out.append(
          String.format(
              Locale.ROOT,
              "Model %d: %s (%d tokens)%n",
              m + 1,
              models.get(m).model(),
              models.get(m).tokens().size()));
    }
    out.append("\nFinal predictions\n");
    out.append(String.format(Locale.ROOT, "%-5s", "Rank"));
    for (int m = 0; m < models.size(); m++) {
      out.append(String.format(Locale.ROOT, "%-34s", "Model " + (m + 1)));
    }
    out.append('\n');
    int rows = models.stream().mapToInt(x -> x.finalPredictions().size()).max().orElse(0);
    for (int r = 0; r < rows; r++) {
      out.append(String.format(Locale.ROOT, "%-5d", r + 1));
      for (CompareResult.ModelLens lens : models) {
        List<CompareResult.Prediction> f = lens.finalPredictions();
        out.append(String.format(Locale.ROOT, "%-34s", r < f.size() ? cell(f.get(r)) : ""));
      }
      out.append('\n');
    }
    if (!models.isEmpty() && !models.get(0).tracked().isEmpty()) {
      out.append("\nTracked tokens\n");
      for (int t = 0; t < models.get(0).tracked().size(); t++) {
        out.append("  ").append(quote(models.get(0).tracked().get(t).token())).append('\n');
        for (int m = 0; m < models.size(); m++) {
          CompareResult.Tracked tr = models.get(m).tracked().get(t);
          out.append(String.format(Locale.ROOT, "    Model %d: ", m + 1));
          out.append(String.format(Locale.ROOT, "id %d %s, ", tr.id(), quote(tr.idText())));
          out.append(
              tr.emergenceLayer() == null
                  ? "never top-1"
                  : "emerges at layer " + Layers.label(tr.emergenceLayer()));
          out.append(String.format(Locale.ROOT, ", final prob %.6f", tr.finalProb()));
          if (tr.pieces() > 1) {
            out.append(
                String.format(
                    Locale.ROOT, " (%d tokens: followed by its first token)", tr.pieces()));
          }
          out.append('\n');
        }
      }
    }
    for (int m = 0; m < models.size(); m++) {
      Integer bad = models.get(m).firstNonFiniteLayer();
      if (bad != null) {
        out.append(String.format(Locale.ROOT, "%nWarning: model %d: %s%n", m + 1, nonFinite(bad)));
      }
    }
    out.append("\nTop tokens by layer (logit lens at the last position; embed = the embeddings,")
        .append(" layer l = the output of block l)\n");
    int layers = models.stream().mapToInt(x -> x.layers().size()).max().orElse(0);
    for (int l = 0; l < layers; l++) {
      out.append("Layer ").append(Layers.label(Layers.ofResidual(l))).append('\n');
      for (int m = 0; m < models.size(); m++) {
        List<CompareResult.LayerTop> ls = models.get(m).layers();
        out.append(String.format(Locale.ROOT, "  Model %d: ", m + 1));
        if (l < ls.size()) {
          List<String> cells = ls.get(l).top().stream().map(ForwardReports::cell).toList();
          out.append(String.join(", ", cells));
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  public static ObjectNode compareJson(CompareResult result) {
    ObjectNode root = JsonReport.MAPPER.createObjectNode();
    root.put("prompt", result.prompt());
    root.put("tool_version", Version.get());
    ArrayNode models = root.putArray("models");
    for (CompareResult.ModelLens lens : result.models()) {
      ObjectNode node = models.addObject();
      node.put("model", lens.model());
      putLayer(node, "first_non_finite_layer", lens.firstNonFiniteLayer());
      ArrayNode tokens = node.putArray("tokens");
      lens.tokens().forEach(tokens::add);
      node.set("final", predictions(lens.finalPredictions()));
      ArrayNode layers = node.putArray("layers");
      for (CompareResult.LayerTop l : lens.layers()) {
        ObjectNode layer = layers.addObject();
        layer.put("layer", l.layer());
        layer.set("top", predictions(l.top()));
      }
      ArrayNode tracked = node.putArray("tracked");
      for (CompareResult.Tracked t : lens.tracked()) {
        ObjectNode tn = tracked.addObject();
        tn.put("token", t.token());
        tn.put("id", t.id());
        tn.put("id_token", t.idText());
        if (t.emergenceLayer() == null) {
          tn.putNull("emergence_layer");
        } else {
          tn.put("emergence_layer", t.emergenceLayer());
        }
        JsonReport.putDouble(tn, "final_prob", t.finalProb());
        ArrayNode probs = tn.putArray("prob_by_layer");
        t.probByLayer().forEach(prob -> JsonReport.addDouble(probs, prob));
        if (t.pieces() > 1) {
          tn.put("note", t.pieces() + " tokens: followed by its first token");
        }
      }
    }
    return root;
  }

  /** Where the hidden states first went non-finite, in words. */
  static String nonFinite(int layer) {
    return "hidden-state cosines first stop being finite at layer "
        + Layers.label(layer)
        + " (a hidden state NaN, infinite or all zeros)";
  }

  private static void putLayer(ObjectNode node, String key, Integer layer) {
    if (layer == null) {
      node.putNull(key);
    } else {
      node.put(key, layer);
    }
  }

  private static ArrayNode predictions(List<CompareResult.Prediction> predictions) {
    ArrayNode out = JsonReport.MAPPER.createArrayNode();
    for (CompareResult.Prediction p : predictions) {
      ObjectNode node = out.addObject();
      node.put("id", p.id());
      node.put("token", p.token());
      JsonReport.putDouble(node, "prob", p.prob());
    }
    return out;
  }

  private static String cell(CompareResult.Prediction p) {
    return String.format(Locale.ROOT, "%s %.4f", quote(p.token()), p.prob());
  }

  /** A token shown with its spaces and newlines visible: " a" and "\n". */
  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t") + "\"";
  }
}
