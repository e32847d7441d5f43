package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.model.Layers;
import io.deltascope.results.Tables;
import java.util.ArrayList;
import java.util.List;

/** Activation cosine by layer: a line per prompt and the average, divergence above 0.1 marked. */
final class ActivationSection {
  private ActivationSection() {}

  static final double DIVERGENCE = 0.1;

  /** "llama-base vs llama-sft": the section names the pair, as the page header does. */
  private static String models(JsonNode doc) {
    String base = Json.str(doc, "base");
    String finetuned = Json.str(doc, "finetuned");
    if (base == null || finetuned == null) {
      return "";
    }
    return "<p class=\"models\"><strong>"
        + Html.esc(Header.short_(base))
        + "</strong> (base) vs <strong>"
        + Html.esc(Header.short_(finetuned))
        + "</strong> (fine-tuned)</p>";
  }

  static HtmlReport.Section of(JsonNode doc) {
    List<JsonNode> layers = Json.list(doc, "layers");
    List<JsonNode> prompts = Json.list(doc, "prompts");
    double lo = 1 - DIVERGENCE - 0.02;
    LineChart chart =
        new LineChart("activation-chart", "layer", "cosine (last token)")
            .xTicks(t -> Layers.label((int) t));
    for (JsonNode p : prompts) {
      List<Double> cos = Json.doubles(p, Tables.COSINE_LAST_TOKEN);
      String prompt = Json.str(p, "prompt");
      List<LineChart.Point> points = new ArrayList<>();
      for (int l = 0; l < cos.size(); l++) {
        double c = cos.get(l);
        lo = Math.min(lo, Double.isNaN(c) ? lo : c);
        points.add(point(Layers.ofResidual(l), c, "\u201c" + prompt + "\u201d"));
      }
      chart.add(new LineChart.Series(prompt, points));
    }
    if (!layers.isEmpty()) {
      List<LineChart.Point> avg = new ArrayList<>();
      for (JsonNode l : layers) {
        Double c = Json.dbl(l, Tables.COSINE_LAST_TOKEN);
        Integer layer = Json.integer(l, "layer");
        if (c != null && layer != null) {
          lo = Math.min(lo, c);
          avg.add(point(layer, c, "average over prompts"));
        }
      }
      chart.add(new LineChart.Series("average over prompts", avg));
    }
    chart
        .yRange(Math.max(-1, Math.floor(lo * 50) / 50), 1)
        .reference(1 - DIVERGENCE, "divergence 0.1");
    StringBuilder out = new StringBuilder(models(doc));
    out.append(
        "<p class=\"note\">Cosine of the two models' residual streams at each layer, at the last token (embed: the embeddings; layer l: the output of block l, as weight-diff numbers blocks); \u25b2 marks divergence (1 \u2212 cosine) above 0.1 or a cosine that is not finite.</p>");
    Integer bad = Json.integer(doc, "first_non_finite_layer");
    if (bad != null) {
      out.append(
              "<p class=\"warn non-finite\">Hidden-state cosines first stop being finite at layer ")
          .append(Html.esc(Layers.label(bad)))
          .append(
              " (a hidden state NaN, infinite or all zeros); every such layer counts as diverged.</p>");
    }
    out.append(chart.render());
    out.append("<div class=\"scroll\"><table class=\"activation-layers sortable\"><thead><tr>")
        .append(TensorTable.th("Layer", "num"))
        .append(TensorTable.th("Avg cosine (last token)", "num"))
        .append(TensorTable.th("Avg cosine (all tokens)", "num"))
        .append(TensorTable.th("Divergence", "num"))
        .append(TensorTable.th("Above 0.1", "text"))
        .append("</tr></thead><tbody>");
    for (JsonNode l : layers) {
      Double div = Json.dbl(l, "divergence");
      boolean diverged =
          l.has("diverged") ? l.get("diverged").asBoolean() : div != null && div > DIVERGENCE;
      out.append("<tr")
          .append(diverged ? " class=\"diverged\"" : "")
          .append("><td class=\"num\" data-v=\"")
          .append(Json.integer(l, "layer"))
          .append("\">")
          .append(Html.esc(Layers.label(Json.integer(l, "layer"))))
          .append("</td>");
      TensorTable.num(out, Json.dbl(l, Tables.COSINE_LAST_TOKEN));
      TensorTable.num(out, Json.dbl(l, Tables.COSINE_ALL_TOKENS));
      TensorTable.num(out, div);
      out.append("<td>").append(diverged ? "\u25b2 ***" : "").append("</td></tr>");
    }
    out.append("</tbody></table></div>");
    out.append("<h3>Prompts</h3><ol class=\"prompts\">");
    for (JsonNode p : prompts) {
      out.append("<li><q class=\"prompt\">")
          .append(Html.esc(Json.str(p, "prompt")))
          .append("</q> ")
          .append("<span class=\"tokens\">")
          .append(Html.esc(tokens(p.get("tokens"))))
          .append("</span></li>");
    }
    out.append("</ol>");
    return new HtmlReport.Section("activation", "Activation differences", out.toString());
  }

  private static LineChart.Point point(int layer, double cos, String who) {
    boolean diverged = !Double.isFinite(cos) || 1 - cos > DIVERGENCE;
    String tip =
        who
            + "\nlayer "
            + Layers.label(layer)
            + ": cosine "
            + Numbers.exact(cos)
            + ", divergence "
            + Numbers.exact(1 - cos)
            + (diverged ? " (above 0.1)" : "");
    return new LineChart.Point(layer, cos, tip, diverged ? "diverged" : null);
  }

  /** A token list as "12 tokens: a | b | c" (tokens shown visibly); a count as "12 tokens". */
  static String tokens(JsonNode tokens) {
    if (tokens == null || tokens.isNull()) {
      return "";
    }
    if (tokens.isNumber()) {
      return Numbers.count(tokens.asLong()) + " tokens";
    }
    List<String> shown = new ArrayList<>();
    tokens.forEach(t -> shown.add(t.isTextual() ? visible(t.asText()) : t.asText()));
    return shown.size() + " tokens: " + String.join(" | ", shown);
  }

  static String visible(String token) {
    return token.replace(' ', '\u2423').replace("\n", "\u21b5").replace("\t", "\u2192");
  }
}
