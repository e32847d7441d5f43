package io.deltascope.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java forward pass against HuggingFace's own (PyTorch, float32): token ids, the residual
 * stream at every layer and position, and the logit lens, for every fixture model and prompt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardPassGoldenTest {
  // opened once for the class: each model serves the residual and the lens tests
  private final Map<String, DecoderModel> models = new HashMap<>();

  private DecoderModel open(String name) {
    return models.computeIfAbsent(name, n -> DecoderModel.open(Fixtures.model(n).toString()));
  }

  @AfterAll
  void close() {
    models.values().forEach(DecoderModel::close);
  }

  static List<String> models() {
    return Oracle.MODELS;
  }

  @ParameterizedTest
  @MethodSource("models")
  void tokenizesEveryPromptExactlyAsTheCheckpointsTokenizer(String name) {
    JsonNode trace = Oracle.trace(name);
    try (PromptTokenizer tokenizer = PromptTokenizer.open(Fixtures.model(name).toString())) {
      for (JsonNode p : trace.get("prompts")) {
        Tokens t = tokenizer.encode(p.get("prompt").asText());
        assertThat(t.ids())
            .as(p.get("prompt").asText())
            .containsExactly(Oracle.ids(p.get("input_ids")));
        List<String> expected = new java.util.ArrayList<>();
        p.get("tokens").forEach(x -> expected.add(x.asText()));
        assertThat(t.tokens()).containsExactlyElementsOf(expected);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void reproducesTheResidualStreamAtEveryLayerAndPosition(String name) {
    JsonNode trace = Oracle.trace(name);
    DecoderModel model = open(name);
    int hidden = model.config().hidden();
    int i = 0;
    for (JsonNode p : trace.get("prompts")) {
      long[] ids = Oracle.ids(p.get("input_ids"));
      List<float[]> ours = Residuals.of(model, ids);
      double[] expected = Oracle.tensor(name, "prompt" + i + ".residual");
      assertThat(ours).hasSize(model.config().numLayers() + 1);
      for (int l = 0; l < ours.size(); l++) {
        for (int pos = 0; pos < ids.length; pos++) {
          int from = (l * ids.length + pos) * hidden;
          assertThat(relativeError(ours.get(l), pos * hidden, expected, from, hidden))
              .as("%s prompt %d layer %d position %d", name, i, l, pos)
              .isLessThan(1e-4);
        }
      }
      i++;
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void logitLensHasTheOraclesTopTenAndTrackedProbabilitiesAtEveryLayer(String name) {
    JsonNode trace = Oracle.trace(name);
    DecoderModel model = open(name);
    int i = 0;
    for (JsonNode p : trace.get("prompts")) {
      long[] tracked = trackedIds(p);
      List<LayerLens> lens =
          LogitLens.run(model, List.of(Oracle.ids(p.get("input_ids"))), 10, tracked).get(0);
      JsonNode expected = p.get("logit_lens_last_position");
      assertThat(lens).hasSize(expected.size());
      for (JsonNode e : expected) {
        // the oracle indexes hidden_states (0 = embeddings); deltascope's layer l is block l's
        // output, the embeddings layer -1
        int oracleIndex = e.get("layer").asInt();
        LayerLens ours = lens.get(oracleIndex);
        assertThat(ours.layer())
            .isEqualTo(oracleIndex - 1)
            .isEqualTo(Layers.ofResidual(oracleIndex));
        String what = name + " prompt " + i + " layer " + ours.layer();
        assertThat(ours.topIds()).as(what).containsExactly(ints(e.get("top_ids")));
        for (int r = 0; r < 10; r++) {
          assertThat((double) ours.topProbs()[r])
              .as(what)
              .isCloseTo(e.get("top_probs").get(r).asDouble(), within(1e-4));
        }
      }
      int k = 0;
      for (JsonNode t : p.get("tracked")) {
        for (int l = 0; l < lens.size(); l++) {
          assertThat((double) lens.get(l).trackedProbs()[k])
              .isCloseTo(t.get("prob_by_layer").get(l).asDouble(), within(1e-4));
        }
        k++;
      }
      // the last layer's lens is the model's own output distribution
      double[] logits = Oracle.tensor(name, "prompt" + i + ".logits_last");
      double[] softmax = softmax(logits);
      LayerLens last = lens.get(lens.size() - 1);
      for (int r = 0; r < 10; r++) {
        assertThat((double) last.topProbs()[r]).isCloseTo(softmax[last.topIds()[r]], within(1e-5));
      }
      i++;
    }
  }

  static double relativeError(float[] ours, int at, double[] expected, int from, int n) {
    double diff = 0;
    double norm = 0;
    for (int j = 0; j < n; j++) {
      double d = ours[at + j] - expected[from + j];
      diff += d * d;
      norm += expected[from + j] * expected[from + j];
    }
    return Math.sqrt(diff / norm);
  }

  static double[] softmax(double[] logits) {
    double max = java.util.Arrays.stream(logits).max().orElse(0);
    double sum = 0;
    double[] p = new double[logits.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  private static long[] trackedIds(JsonNode prompt) {
    List<Long> ids = new java.util.ArrayList<>();
    prompt.get("tracked").forEach(t -> ids.add(t.get("id").asLong()));
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  private static int[] ints(JsonNode node) {
    int[] out = new int[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = node.get(i).asInt();
    }
    return out;
  }
}
