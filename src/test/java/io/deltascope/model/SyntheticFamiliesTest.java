package io.deltascope.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.deltascope.Fixtures;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistral and Qwen3 have no fixture: checkpoints made from llama-base's real weights with their
 * configs. Where the family is Llama in all but name the oracle still applies; where it adds
 * something (sliding windows, q/k norms) the test checks what that must and must not change.
 */
class SyntheticFamiliesTest {
  private static final String PROMPT = "Question: What does json.dumps do?\nAnswer:"; // prompt1

  @TempDir static Path dir;

  @Test
  void mistralWithoutSlidingWindowReproducesTheLlamaOraclesResiduals() {
    Path mistral = mistral("mistral-full", null);
    double[] expected = Oracle.tensor("llama-base", "prompt1.residual");
    try (DecoderModel model = DecoderModel.open(mistral.toString());
        PromptTokenizer tok = PromptTokenizer.open(mistral.toString())) {
      assertThat(model.config().family()).isEqualTo(Family.MISTRAL);
      long[] ids = tok.encode(PROMPT).ids();
      List<float[]> ours = Residuals.of(model, ids);
      int hidden = model.config().hidden();
      for (int l = 0; l < ours.size(); l++) {
        for (int p = 0; p < ids.length; p++) {
          assertThat(
                  ForwardPassGoldenTest.relativeError(
                      ours.get(l), p * hidden, expected, (l * ids.length + p) * hidden, hidden))
              .isLessThan(1e-4);
        }
      }
    }
  }

  @Test
  void mistralsSlidingWindowChangesOnlyPositionsThatSeeBeyondIt() {
    int window = 4;
    Path mistral = mistral("mistral-window", window);
    double[] llama = Oracle.tensor("llama-base", "prompt1.residual");
    try (DecoderModel model = DecoderModel.open(mistral.toString());
        PromptTokenizer tok = PromptTokenizer.open(mistral.toString())) {
      assertThat(model.config().layers())
          .allSatisfy(l -> assertThat(l.slidingWindow()).isEqualTo(window));
      long[] ids = tok.encode(PROMPT).ids();
      List<float[]> ours = Residuals.of(model, ids);
      int hidden = model.config().hidden();
      int last = ours.size() - 1;
      for (int p = 0; p < ids.length; p++) {
        double err =
            ForwardPassGoldenTest.relativeError(
                ours.get(last), p * hidden, llama, (last * ids.length + p) * hidden, hidden);
        if (p < window) {
          assertThat(err).as("position %d sees all its keys", p).isLessThan(1e-4);
        } else {
          assertThat(err).as("position %d loses keys", p).isGreaterThan(1e-3);
        }
      }
    }
  }

  @Test
  void qwen3WithQkNormsRunsEveryLayerAndItsLastLensIsItsOwnOutput() {
    Path qwen3 = qwen3();
    try (DecoderModel model = DecoderModel.open(qwen3.toString());
        PromptTokenizer tok = PromptTokenizer.open(qwen3.toString())) {
      DecoderConfig c = model.config();
      assertThat(c.family()).isEqualTo(Family.QWEN3);
      assertThat(c.qkNorm()).isTrue();
      assertThat(c.normOffset()).isZero();
      long[] ids = tok.encode(PROMPT).ids();
      List<float[]> residuals = Residuals.of(model, ids);
      assertThat(residuals).hasSize(c.numLayers() + 1);
      for (float[] r : residuals) {
        assertThat(r).hasSize(ids.length * c.hidden());
        for (float v : r) {
          assertThat(Float.isFinite(v)).isTrue();
        }
      }
      // q/k norms are applied: the residual after block 0 is not llama-base's
      double[] llama = Oracle.tensor("llama-base", "prompt1.residual");
      int t = ids.length;
      int last = t - 1;
      assertThat(
              ForwardPassGoldenTest.relativeError(
                  residuals.get(1), last * c.hidden(), llama, (t + last) * c.hidden(), c.hidden()))
          .isGreaterThan(1e-3);
      assertLastLensIsTheModelsOutput(model, ids, residuals.get(c.numLayers()));
    }
  }

  @Test
  void finalLogitSoftcappingBendsTheOraclesLogitsThroughTanh() {
    double cap = 2.0;
    Path capped =
        SyntheticCheckpoints.derive(
            Fixtures.model("gemma3-base"),
            dir.resolve("gemma3-capped"),
            Map.of(),
            c -> c.put("final_logit_softcapping", cap));
    double[] logits = Oracle.tensor("gemma3-base", "prompt1.logits_last");
    for (int i = 0; i < logits.length; i++) {
      logits[i] = Math.tanh(logits[i] / cap) * cap;
    }
    double[] expected = ForwardPassGoldenTest.softmax(logits);
    try (DecoderModel model = DecoderModel.open(capped.toString());
        PromptTokenizer tok = PromptTokenizer.open(capped.toString())) {
      assertThat(model.config().finalSoftcap()).isEqualTo(cap);
      List<LayerLens> lens =
          LogitLens.run(model, List.of(tok.encode(PROMPT).ids()), 10, new long[0]).get(0);
      LayerLens last = lens.get(lens.size() - 1);
      for (int r = 0; r < 10; r++) {
        assertThat((double) last.topProbs()[r]).isCloseTo(expected[last.topIds()[r]], within(1e-5));
      }
      assertThat(last.topIds()[0]).isEqualTo(argmax(expected));
    }
  }

  @Test
  void aPromptLongerThan512TokensIsNotTruncated() {
    try (PromptTokenizer tok = PromptTokenizer.open(Fixtures.model("llama-base").toString())) {
      assertThat(tok.encode("word ".repeat(600)).length()).isGreaterThan(600);
    }
  }

  private static int argmax(double[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }

  // softmax of the model's logits over the whole final residual, last row, against the lens
  private static void assertLastLensIsTheModelsOutput(
      DecoderModel model, long[] ids, float[] finalResidual) {
    List<LayerLens> lens = LogitLens.run(model, List.of(ids), 10, new long[0]).get(0);
    LayerLens last = lens.get(lens.size() - 1);
    double[] logits;
    try (NDManager m = model.newBatchManager()) {
      NDArray h =
          m.create(
              finalResidual, new ai.djl.ndarray.types.Shape(ids.length, model.config().hidden()));
      float[] all = model.logits(h).toFloatArray();
      int v = all.length / ids.length;
      logits = new double[v];
      for (int i = 0; i < v; i++) {
        logits[i] = all[(ids.length - 1) * v + i];
      }
    }
    double[] p = ForwardPassGoldenTest.softmax(logits);
    for (int r = 0; r < 10; r++) {
      assertThat((double) last.topProbs()[r]).isCloseTo(p[last.topIds()[r]], within(1e-6));
      for (int i = 0; i < p.length; i++) {
        assertThat(p[i]).isLessThanOrEqualTo(p[last.topIds()[0]]);
      }
    }
  }

  private static Path mistral(String name, Integer window) {
    return SyntheticCheckpoints.derive(
        Fixtures.model("llama-base"),
        dir.resolve(name),
        Map.of(),
        c -> {
          c.put("model_type", "mistral");
          c.putArray("architectures").add("MistralForCausalLM");
          if (window == null) {
            c.putNull("sliding_window");
          } else {
            c.put("sliding_window", window);
          }
        });
  }

  private static Path qwen3() {
    Random random = new Random(7);
    Map<String, SyntheticCheckpoints.Tensor> norms = new HashMap<>();
    for (int l = 0; l < 4; l++) {
      for (String n : List.of("q_norm", "k_norm")) {
        float[] w = new float[32];
        for (int i = 0; i < w.length; i++) {
          w[i] = 0.5f + random.nextFloat();
        }
        norms.put(
            "model.layers." + l + ".self_attn." + n + ".weight",
            SyntheticCheckpoints.Tensor.f32(new long[] {32}, w));
      }
    }
    return SyntheticCheckpoints.derive(
        Fixtures.model("llama-base"),
        dir.resolve("qwen3"),
        norms,
        c -> {
          c.put("model_type", "qwen3");
          c.putArray("architectures").add("Qwen3ForCausalLM");
          // 4.x style on purpose: rope_theta at the top level, torch_dtype
          c.remove("rope_parameters");
          c.put("rope_theta", 10000.0);
          c.remove("dtype");
          c.put("torch_dtype", "bfloat16");
        });
  }
}
