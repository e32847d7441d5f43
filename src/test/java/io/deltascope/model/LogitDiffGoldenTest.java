package io.deltascope.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
  @ParameterizedTest
  @CsvSource({
    "llama-base, llama-sft",
    "llama-base, llama-lora-merged",
    "qwen2-base, qwen2-sft",
    "gemma3-base, gemma3-sft",
    "gpt2-base, gpt2-sft"
  })
  void everyPositionMatchesTheOracleInFloat64(String baseName, String finetunedName) {
    List<PromptPair> prompts = OracleLogitDiff.prompts(baseName, finetunedName);
    List<PositionMetrics> ours;
    try (DecoderModel base = DecoderModel.open(Fixtures.model(baseName).toString());
        DecoderModel finetuned = DecoderModel.open(Fixtures.model(finetunedName).toString())) {
      ours = LogitDiff.run(base, finetuned, prompts, 5, 3);
    }
    int total = prompts.stream().mapToInt(p -> p.base().length()).sum();
    assertThat(ours).hasSize(total);
    int row = 0;
    for (PromptPair p : prompts) {
      List<OracleLogitDiff.Position> expected =
          OracleLogitDiff.positions(baseName, finetunedName, p.index());
      for (int pos = 0; pos < expected.size(); pos++) {
        PositionMetrics m = ours.get(row++);
        OracleLogitDiff.Position e = expected.get(pos);
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
    List<PromptPair> prompts = OracleLogitDiff.prompts("llama-base", "llama-sft");
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
    double[] lp =
        OracleLogitDiff.logProbs("llama-sft", p.index(), p.base().length(), head, top.position());
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
    List<PromptPair> prompts = OracleLogitDiff.prompts("llama-sft", "llama-sft");
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
    List<PromptPair> prompts = OracleLogitDiff.prompts("llama-sft", "llama-sft");
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
      assertThatThrownBy(
              () -> LogitDiff.run(a, b, OracleLogitDiff.prompts("llama-sft", "llama-sft"), 5, 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("over 1024 tokens")
          .hasMessageContaining("over 1032");
    }
  }
}
