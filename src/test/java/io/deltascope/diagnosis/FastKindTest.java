package io.deltascope.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import io.deltascope.diff.LocalDiff;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.results.TensorResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fast scan (spectra off) decides each bundled pair's kind as the full run does. */
class FastKindTest {

  static Diagnosis fast(WeightDiffPlan plan) {
    return Diagnosis.of(LocalDiff.of(plan, SpectrumSettings.OFF), PairFacts.of(plan));
  }

  static String path(String name) {
    return name.endsWith(".gguf")
        ? Fixtures.root().resolve("gguf").resolve(name).toString()
        : Fixtures.model(name).toString();
  }

  @Test
  void theMergedLoraIsALoraMergeOfRank4OnTheSameTargetsAsTheFullRun() {
    WeightDiffPlan plan = LocalDiff.plan("llama-base", "llama-lora-merged");
    Diagnosis fast = fast(plan);
    Diagnosis full = KindTest.diagnose(plan);
    assertThat(fast.kind()).isEqualTo("lora_merge");
    assertThat(fast.profile()).isNull();
    assertThat(fast.summary())
        .contains("rank-4 LoRA-like update on attn_q and attn_v of every layer")
        .contains("rank 4, target modules attn_q, attn_v")
        .doesNotContain("extreme");
    assertThat(fast.findings())
        .filteredOn(f -> f.category().equals("lora"))
        .extracting(Finding::title)
        .containsExactlyElementsOf(
            full.findings().stream()
                .filter(f -> f.category().equals("lora"))
                .map(Finding::title)
                .toList());
  }

  @Test
  void theProbesRankIsTheSpectrumsNumericalRankOnEveryChangedMatrix() {
    WeightDiffPlan plan = LocalDiff.plan("llama-base", "llama-lora-merged");
    List<TensorResult> fast = LocalDiff.of(plan, SpectrumSettings.OFF).rows();
    List<TensorResult> full = LocalDiff.of(plan).rows();
    for (int i = 0; i < full.size(); i++) {
      if (full.get(i).numericalRank() != null && full.get(i).zeroFraction() < 1) {
        assertThat(fast.get(i).rankProbe())
            .as(full.get(i).name())
            .isEqualTo(full.get(i).numericalRank())
            .isEqualTo(4);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({
    "llama-sft, llama-sft, identical",
    "llama-base, llama-sft, fine_tune",
    "gpt2-base, gpt2-sft, fine_tune",
    "qwen2-base, qwen2-sft, fine_tune",
    "gemma3-base, gemma3-sft, fine_tune",
    "llama-base, llama-sft-resized, fine_tune",
    "llama-base, qwen2-base, unrelated",
    "llama-sft, llama-sft.f16.gguf, quantization",
    "llama-sft, llama-sft.q8_0.gguf, quantization",
    "llama-sft, llama-sft.q4_0.gguf, quantization",
    "llama-base, llama-sft.q8_0.gguf, fine_tune",
    "llama-base, llama-sft.q4_0.gguf, fine_tune"
  })
  void everyOtherBundledPairKeepsItsKindAndProfile(String base, String finetuned, String kind) {
    WeightDiffPlan plan = LocalDiff.planOf(path(base), path(finetuned));
    Diagnosis fast = fast(plan);
    Diagnosis full = KindTest.diagnose(plan);
    assertThat(fast.kind()).isEqualTo(kind).isEqualTo(full.kind());
    assertThat(fast.profile()).isEqualTo(full.profile());
  }

  @Test
  void aQuantizedFineTuneSaysItsRankWasNotMeasuredRatherThanClaimingOne() {
    Diagnosis fast = fast(LocalDiff.planOf(path("llama-base"), path("llama-sft.q4_0.gguf")));
    assertThat(fast.findings())
        .filteredOn(f -> f.category().equals("rank"))
        .extracting(Finding::title)
        .containsExactly("Rank not measured: LoRA test not run");
    assertThat(fast.findings()).noneMatch(f -> f.category().equals("lora"));
  }

  @Test
  void aFineTuneWhoseProbeShowsHighRankNeedsNoRankWords() {
    Diagnosis fast = fast(LocalDiff.plan("llama-base", "llama-sft"));
    assertThat(fast.findings()).noneMatch(f -> f.category().equals("rank"));
    assertThat(fast.findings()).noneMatch(f -> f.category().equals("lora"));
  }
}
