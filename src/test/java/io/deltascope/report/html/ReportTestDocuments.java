package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.Fixtures;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Activation-diff and compare documents in the commands' documented shapes, built from the oracle's
 * numbers (the fixtures' activation cosines and logit-lens traces), until the commands that write
 * them are merged; plus the spectra fields and a diagnosis added to a weight-diff document. A few
 * strings are made hostile on purpose: markup in a prompt, a token, a finding.
 */
final class ReportTestDocuments {
  private ReportTestDocuments() {}

  static final String HOSTILE_PROMPT = "<img src=x onerror=\"console.error('xss')\"> & 'quotes'";
  static final String HOSTILE_TOKEN = "</td><b>&amp;\"'<";
  static final String HOSTILE_TITLE = "Attention <b>changed</b> & \"more\"";
  static final String TRACKED_EMERGING =
      " a"; // top-1 of llama-sft from layer 1, of llama-base at 4

  /** The oracle's activation cosines of llama-base vs llama-sft, one hostile prompt added. */
  static ObjectNode activation() {
    JsonNode a = Fixtures.pairOracle("llama-base", "llama-sft").get("activation");
    ObjectNode doc = Chromium.obj();
    ArrayNode layers = doc.putArray("layers");
    JsonNode last = a.get("avg_cosine_last_token_by_layer");
    JsonNode all = a.get("avg_cosine_mean_over_tokens_by_layer");
    for (int l = 0; l < last.size(); l++) {
      layers
          .addObject()
          .put(
              "layer",
              l - 1) // deltascope's numbering: the oracle's hidden_states[l] is layer l - 1
          .put("cosine_last_token", last.get(l).asDouble())
          .put("cosine_all_tokens", all.get(l).asDouble())
          .put("divergence", 1 - last.get(l).asDouble());
    }
    ArrayNode prompts = doc.putArray("prompts");
    JsonNode trace = Fixtures.json(Fixtures.root().resolve("expected/llama-base.trace.json"));
    for (JsonNode p : a.get("per_prompt")) {
      ObjectNode out = prompts.addObject().put("prompt", p.get("prompt").asText());
      for (JsonNode t : trace.get("prompts")) {
        if (t.get("prompt").asText().equals(p.get("prompt").asText())) {
          out.set("tokens", t.get("tokens"));
        }
      }
      out.set("cosine_last_token", p.get("cosine_last_token_by_layer"));
      out.set("cosine_all_tokens", p.get("cosine_mean_over_tokens_by_layer"));
    }
    ObjectNode hostile = prompts.get(0).deepCopy();
    hostile.put("prompt", HOSTILE_PROMPT);
    prompts.add(hostile);
    return doc;
  }

  /** The oracle's logit lens of "The answer is" in both models; one token made hostile. */
  static ObjectNode compare() {
    ObjectNode doc = Chromium.obj();
    ArrayNode models = doc.putArray("models");
    for (String model : List.of("llama-base", "llama-sft")) {
      JsonNode trace = Fixtures.json(Fixtures.root().resolve("expected/" + model + ".trace.json"));
      JsonNode p = trace.get("prompts").get(0);
      doc.put("prompt", p.get("prompt").asText());
      ObjectNode m = models.addObject().put("model", "fixtures/models/" + model);
      m.set("tokens", p.get("tokens"));
      ArrayNode layers = m.putArray("layers");
      JsonNode lens = p.get("logit_lens_last_position");
      for (JsonNode l : lens) {
        ArrayNode top = layers.addObject().put("layer", l.get("layer").asInt() - 1).putArray("top");
        for (int r = 0; r < l.get("top_ids").size(); r++) {
          top.addObject()
              .put("id", l.get("top_ids").get(r).asInt())
              .put("token", l.get("top_tokens").get(r).asText())
              .put("prob", l.get("top_probs").get(r).asDouble());
        }
      }
      m.set("final", layers.get(layers.size() - 1).get("top").deepCopy());
      ArrayNode tracked = m.putArray("tracked");
      for (Iterator<Map.Entry<String, JsonNode>> it = p.get("tracked").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        addTracked(
            tracked,
            e.getKey(),
            e.getValue().get("id").asInt(),
            e.getValue().get("prob_by_layer"),
            lens);
      }
      ArrayNode probs = Chromium.JSON.createArrayNode();
      int id = 261; // " a"
      for (JsonNode l : lens) {
        double prob = 1e-6; // below the top 10: not known, drawn at the floor
        for (int r = 0; r < l.get("top_ids").size(); r++) {
          if (l.get("top_ids").get(r).asInt() == id) {
            prob = l.get("top_probs").get(r).asDouble();
          }
        }
        probs.add(prob);
      }
      addTracked(tracked, TRACKED_EMERGING, id, probs, lens);
    }
    ((ObjectNode) models.get(1).get("layers").get(0).get("top").get(0)).put("token", HOSTILE_TOKEN);
    return doc;
  }

  private static void addTracked(
      ArrayNode tracked, String token, int id, JsonNode probs, JsonNode lens) {
    ObjectNode t = tracked.addObject().put("token", token).put("id", id);
    Integer emergence = null;
    for (JsonNode l : lens) {
      if (emergence == null && l.get("top_ids").get(0).asInt() == id) {
        emergence = l.get("layer").asInt() - 1; // block l's output is layer l - 1 of the oracle's
      }
    }
    if (emergence == null) {
      t.putNull("emergence_layer");
    } else {
      t.put("emergence_layer", emergence);
    }
    t.put("final_prob", probs.get(probs.size() - 1).asDouble());
    t.set("prob_by_layer", probs);
  }

  /**
   * The weight-diff document with the spectra fields the spectra branch adds, from the oracle's
   * singular values, and a diagnosis.
   */
  static ObjectNode withSpectraAndDiagnosis(JsonNode weightDiff) {
    ObjectNode doc = weightDiff.deepCopy();
    JsonNode oracle = Fixtures.pairOracle("llama-base", "llama-sft").get("tensors");
    for (JsonNode t : doc.get("tensors")) {
      JsonNode o = oracle.get(t.get("name").asText());
      if (o == null || o.path("singular_values").size() == 0) {
        continue;
      }
      ArrayNode top = ((ObjectNode) t).putArray("singular_values_top");
      for (int i = 0; i < Math.min(20, o.get("singular_values").size()); i++) {
        top.add(o.get("singular_values").get(i).asDouble());
      }
      ((ObjectNode) t)
          .put("effective_rank", o.get("effective_rank_entropy").asDouble())
          .put("stable_rank", o.get("stable_rank").asDouble())
          .put("top_k_energy_share", o.get("top20_energy_share").asDouble());
    }
    ObjectNode d = doc.putObject("diagnosis");
    d.put("profile", "heavy");
    d.put(
        "summary",
        "A full fine-tune: every matrix changed, attention output most (mean relative change 0.065 over 2-D weights).");
    ArrayNode findings = d.putArray("findings");
    findings
        .addObject()
        .put("category", "balance")
        .put("severity", "info")
        .put("title", HOSTILE_TITLE)
        .put("detail", "attn_o changed 1.3 times as much as the MLP.");
    findings
        .addObject()
        .put("category", "norms")
        .put("severity", "warning")
        .put("title", "Norms modified")
        .put("detail", "All 9 norm vectors changed.");
    return doc;
  }

  /**
   * How many of the oracle's singular values of llama-base vs llama-sft's {@code tensor} exceed
   * {@code floor}.
   */
  static long aboveFloor(String tensor, double floor) {
    long above = 0;
    for (JsonNode v :
        Fixtures.pairOracle("llama-base", "llama-sft")
            .get("tensors")
            .get(tensor)
            .get("singular_values")) {
      above += v.asDouble() > floor ? 1 : 0;
    }
    return above;
  }

  /** A GGUF oracle's relative change of each tensor from its source, by the source's names. */
  static Map<String, Double> drift(JsonNode ggufOracle) {
    Map<String, Double> drift = new java.util.HashMap<>();
    ggufOracle
        .get("tensors")
        .forEach(
            t ->
                drift.put(
                    t.get("hf_name").asText(),
                    t.get("drift_from_source").get("relative_delta").asDouble()));
    return drift;
  }

  /** A GGUF oracle's tensors, by their names in the source, largest drift from it first. */
  static List<String> byDrift(JsonNode ggufOracle) {
    Map<String, Double> drift = drift(ggufOracle);
    List<String> names = new java.util.ArrayList<>(drift.keySet());
    names.sort((a, b) -> Double.compare(drift.get(b), drift.get(a)));
    return names;
  }
}
