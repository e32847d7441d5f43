package io.deltascope.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * logit-diff's per-position numbers against the oracle: the last residual HuggingFace computed at
 * every position (before the final norm), taken through the test's own float64 final norm and
 * output head ({@link Float64Head}, itself checked against the oracle's last-position logits).
 */
class LogitDiffGoldenTest {
  /** What the oracle's residuals give at one position. */
  record Expected(double kl, int top1Base, int top1Finetuned, double lpBase, double lpFinetuned) {}

  @ParameterizedTest
  @CsvSource({
    "llama-base, llama-sft",
    "llama-base, llama-lora-merged",
    "qwen2-base, qwen2-sft",
    "gemma3-base, gemma3-sft",
    "gpt2-base, gpt2-sft"
  })
  void everyPositionMatchesTheOracleInFloat64(String baseName, String finetunedName) {
    List<PromptPair> prompts = prompts(baseName, finetunedName);
    List<PositionMetrics> ours;
    try (DecoderModel base = DecoderModel.open(Fixtures.model(baseName).toString());
        DecoderModel finetuned = DecoderModel.open(Fixtures.model(finetunedName).toString())) {
      ours = LogitDiff.run(base, finetuned, prompts, 5, 3);
    }
    Float64Head headA = new Float64Head(Fixtures.model(baseName).toString());
    Float64Head headB = new Float64Head(Fixtures.model(finetunedName).toString());
    int total = prompts.stream().mapToInt(p -> p.base().length()).sum();
    assertThat(ours).hasSize(total);
    int row = 0;
    for (PromptPair p : prompts) {
      List<Expected> expected = expected(baseName, finetunedName, p, headA, headB);
      for (int pos = 0; pos < expected.size(); pos++) {
        PositionMetrics m = ours.get(row++);
        Expected e = expected.get(pos);
        String what = baseName + " vs " + finetunedName + " prompt " + p.index() + " pos " + pos;
        assertThat(m.promptIndex()).isEqualTo(p.index());
        assertThat(m.position()).isEqualTo(pos);
        TokenDivergence d = m.divergence();
        assertThat(d.kl()).as(what).isCloseTo(e.kl(), within(1e-4 * e.kl() + 1e-9));
        assertThat(d.top1Base()).as(what).isEqualTo(e.top1Base());
        assertThat(d.top1Finetuned()).as(what).isEqualTo(e.top1Finetuned());
        if (pos + 1 < expected.size()) {
          assertThat(d.logprobBase()).as(what).isCloseTo(e.lpBase(), within(1e-5));
          assertThat(d.logprobFinetuned()).as(what).isCloseTo(e.lpFinetuned(), within(1e-5));
        } else {
          assertThat(m.nextId()).isEqualTo(-1);
          assertThat(d.logprobBase()).isNaN();
        }
      }
    }
    assertThat(ours.stream().filter(m -> m.topBase() != null)).hasSize(3);
  }

  @Test
  void keepsTopKOnlyForThePositionsOfLargestKlWithTheOraclesProbabilities() {
    List<PromptPair> prompts = prompts("llama-base", "llama-sft");
    List<PositionMetrics> ours;
    try (DecoderModel base = DecoderModel.open(Fixtures.model("llama-base").toString());
        DecoderModel finetuned = DecoderModel.open(Fixtures.model("llama-sft").toString())) {
      ours = LogitDiff.run(base, finetuned, prompts, 4, 2);
    }
    List<PositionMetrics> byKl = new ArrayList<>(ours);
    byKl.sort((x, y) -> Double.compare(y.divergence().kl(), x.divergence().kl()));
    assertThat(byKl.get(0).topBase()).isNotNull();
    assertThat(byKl.get(1).topBase()).isNotNull();
    assertThat(byKl.subList(2, byKl.size())).allMatch(m -> m.topBase() == null);
    Float64Head head = new Float64Head(Fixtures.model("llama-sft").toString());
    PositionMetrics top = byKl.get(0);
    PromptPair p = prompts.get(top.promptIndex());
    double[] lp = logProbs("llama-sft", p, head, top.position());
    TopTokens t = top.topFinetuned();
    assertThat(t.ids()).hasSize(4);
    for (int r = 0; r < 4; r++) {
      assertThat(Math.log(t.probs()[r])).isCloseTo(lp[t.ids()[r]], within(1e-5));
      if (r > 0) {
        assertThat(lp[t.ids()[r]]).isLessThanOrEqualTo(lp[t.ids()[r - 1]]);
      }
    }
    assertThat(t.ids()[0]).isEqualTo(top.divergence().top1Finetuned());
  }

  @Test
  void aModelAgainstItselfHasKlExactlyZeroAndFullAgreement() {
    List<PromptPair> prompts = prompts("llama-sft", "llama-sft");
    String location = Fixtures.model("llama-sft").toString();
    try (DecoderModel a = DecoderModel.open(location);
        DecoderModel b = DecoderModel.open(location)) {
      List<PositionMetrics> ours = LogitDiff.run(a, b, prompts, 5, 3);
      assertThat(ours).isNotEmpty();
      for (PositionMetrics m : ours) {
        assertThat(m.divergence().kl()).isEqualTo(0.0);
        assertThat(m.divergence().agrees()).isTrue();
        if (m.nextId() >= 0) {
          assertThat(m.divergence().logprobFinetuned()).isEqualTo(m.divergence().logprobBase());
        }
      }
    }
  }

  @Test
  void aQ8GgufAgainstItsSourceHasSmallKlAndAgreesNearlyEverywhere() {
    List<PromptPair> prompts = prompts("llama-sft", "llama-sft");
    double[] mean = new double[2];
    double[] agreement = new double[2];
    String[] files = {"llama-sft.q8_0.gguf", "llama-sft.q4_0.gguf"};
    for (int f = 0; f < files.length; f++) {
      String gguf = Fixtures.root().resolve("gguf/" + files[f]).toString();
      try (DecoderModel source = DecoderModel.open(Fixtures.model("llama-sft").toString());
          DecoderModel quantized = DecoderModel.open(gguf)) {
        List<PositionMetrics> ours = LogitDiff.run(source, quantized, prompts, 5, 3);
        mean[f] = ours.stream().mapToDouble(m -> m.divergence().kl()).average().orElseThrow();
        agreement[f] =
            ours.stream().filter(m -> m.divergence().agrees()).count() / (double) ours.size();
      }
    }
    assertThat(mean[0]).as("Q8_0 mean KL").isGreaterThan(0).isLessThan(1e-3);
    assertThat(agreement[0]).as("Q8_0 top-1 agreement").isGreaterThanOrEqualTo(0.95);
    // coarser quantization moves the predictions more
    assertThat(mean[1]).as("Q4_0 mean KL").isGreaterThan(mean[0]);
  }

  @Test
  void refusesModelsWhoseVocabulariesDiffer() {
    try (DecoderModel a = DecoderModel.open(Fixtures.model("llama-sft").toString());
        DecoderModel b = DecoderModel.open(Fixtures.model("llama-sft-resized").toString())) {
      assertThatThrownBy(() -> LogitDiff.run(a, b, prompts("llama-sft", "llama-sft"), 5, 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("over 1024 tokens")
          .hasMessageContaining("over 1032");
    }
  }

  /** The oracle's prompts under the base's tokens, which the fine-tune's trace must share. */
  static List<PromptPair> prompts(String baseName, String finetunedName) {
    JsonNode a = Oracle.trace(baseName).get("prompts");
    JsonNode b = Oracle.trace(finetunedName).get("prompts");
    List<PromptPair> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      long[] ids = Oracle.ids(a.get(i).get("input_ids"));
      assertThat(Oracle.ids(b.get(i).get("input_ids"))).containsExactly(ids);
      List<String> tokens = new ArrayList<>();
      a.get(i).get("tokens").forEach(t -> tokens.add(t.asText()));
      Tokens t = new Tokens(ids, tokens);
      out.add(new PromptPair(i, a.get(i).get("prompt").asText(), t, t));
    }
    return out;
  }

  private static List<Expected> expected(
      String baseName, String finetunedName, PromptPair p, Float64Head a, Float64Head b) {
    long[] ids = p.base().ids();
    List<Expected> out = new ArrayList<>();
    for (int pos = 0; pos < ids.length; pos++) {
      double[] lp = logProbs(baseName, p, a, pos);
      double[] lq = logProbs(finetunedName, p, b, pos);
      double kl = 0;
      for (int v = 0; v < lp.length; v++) {
        kl += Math.exp(lp[v]) * (lp[v] - lq[v]);
      }
      long next = pos + 1 < ids.length ? ids[pos + 1] : -1;
      out.add(
          new Expected(
              kl,
              argmax(lp),
              argmax(lq),
              next < 0 ? Double.NaN : lp[(int) next],
              next < 0 ? Double.NaN : lq[(int) next]));
    }
    return out;
  }

  /**
   * log softmax of the model's logits at one position, from the oracle's last residual; at the last
   * position the float64 head is first checked against the oracle's own logits.
   */
  private static double[] logProbs(String model, PromptPair p, Float64Head head, int pos) {
    double[] residual = Oracle.tensor(model, "prompt" + p.index() + ".residual");
    int t = p.base().length();
    int hidden = residual.length / t / (Oracle.trace(model).get("num_layers").asInt() + 1);
    int last = Oracle.trace(model).get("num_layers").asInt();
    double[] logits = head.logits(residual, (last * t + pos) * hidden);
    if (pos == t - 1) {
      double[] oracle = Oracle.tensor(model, "prompt" + p.index() + ".logits_last");
      double scale = 0;
      for (double x : oracle) {
        scale = Math.max(scale, Math.abs(x));
      }
      for (int v = 0; v < oracle.length; v++) {
        assertThat(logits[v])
            .as("float64 head, %s", model)
            .isCloseTo(oracle[v], within(1e-4 * scale));
      }
    }
    return Float64Head.logSoftmax(logits);
  }

  private static int argmax(double[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }
}
