package io.deltascope.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.diff.LocalDiff;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The diagnosis of the shared real pairs, each a known kind of fine-tune. */
class DiagnosisTest {

  @Test
  void theMergedLoraReadsAsARank4LoraOnAttnQAndVOfEveryLayerWithEverythingElseUntouched() {
    WeightDiffResult result = LocalDiff.of("llama-base", "llama-lora-merged");
    Diagnosis d = Diagnosis.of(result);

    Finding lora = only(d, "lora");
    assertThat(lora.title())
        .isEqualTo("Rank-4 LoRA-like update on attn_q and attn_v of every layer");
    assertThat(lora.detail())
        .contains("8 matrices changed, each of numerical rank 4")
        .contains("attn_q in every layer (4 of 4)")
        .contains("attn_v in every layer (4 of 4)")
        .contains("every other tensor is exactly untouched");
    assertThat(d.findings().get(0)).isEqualTo(lora);
    assertThat(only(d, "untouched").title()).isEqualTo("31 of 39 tensors are exactly untouched");
    assertThat(only(d, "norms").title()).isEqualTo("Norms frozen");
    assertThat(only(d, "balance").title())
        .isEqualTo("Only attention changed; the MLP is untouched");
    assertThat(only(d, "dtype").title()).isEqualTo("Stored type changed: 39 tensors BF16 -> F32");
    assertThat(d.summary()).contains("rank-4 LoRA-like update on attn_q and attn_v of every layer");
    // every changed matrix is exactly rank 4 in f32; every other tensor has a zero delta
    for (TensorResult r : result.compared()) {
      boolean adapted = r.component().equals("attn_q") || r.component().equals("attn_v");
      if (adapted) {
        assertThat(r.numericalRank()).as(r.name()).isEqualTo(4);
      } else if (r.shapeBase().size() == 2) {
        assertThat(r.spectrumStatus()).as(r.name()).isEqualTo("zero_delta");
      }
    }
  }

  @Test
  void aFullFineTuneIsNotMistakenForALoraAndGetsItsProfileFromTheMeanOverMatrices() {
    WeightDiffResult result = LocalDiff.of("llama-base", "llama-sft");
    Diagnosis d = Diagnosis.of(result);
    assertThat(d.findings()).noneMatch(f -> f.category().equals("lora"));
    List<TensorResult> matrices =
        result.compared().stream().filter(r -> r.shapeBase().size() == 2).toList();
    double mean =
        matrices.stream().mapToDouble(TensorResult::relativeDelta).average().orElseThrow();
    assertThat(d.meanRelativeDelta()).isEqualTo(mean);
    assertThat(result.summary().meanMatrixRelativeDelta()).isEqualTo(mean); // one headline mean
    assertThat(d.meanOf()).contains("over the 30 compared 2-D weight matrices");
    assertThat(d.profile()).isEqualTo(Profile.of(mean).label()).isEqualTo("heavy");
    assertThat(only(d, "norms").title()).isEqualTo("Norms modified");
    assertThat(only(d, "untouched").title()).isEqualTo("No tensor is untouched");
  }

  @Test
  void aVocabularyResizeIsReportedWithTheRowsAdded() {
    Diagnosis d = Diagnosis.of(LocalDiff.of("llama-base", "llama-sft-resized"));
    List<Finding> vocabulary =
        d.findings().stream().filter(f -> f.category().equals("vocabulary")).toList();
    assertThat(vocabulary)
        .extracting(Finding::title)
        .containsExactlyInAnyOrder(
            "Vocabulary resized: +8 rows in lm_head.weight",
            "Vocabulary resized: +8 rows in model.embed_tokens.weight");
    assertThat(only(d, "structure").title()).isEqualTo("Tensors added (1) or removed (0)");
  }

  @Test
  void profilesFollowTheIssuesThresholds() {
    assertThat(Profile.of(0.0149)).isEqualTo(Profile.SURGICAL);
    assertThat(Profile.of(0.015)).isEqualTo(Profile.STANDARD);
    assertThat(Profile.of(0.0499)).isEqualTo(Profile.STANDARD);
    assertThat(Profile.of(0.05)).isEqualTo(Profile.HEAVY);
    assertThat(Profile.of(0.1199)).isEqualTo(Profile.HEAVY);
    assertThat(Profile.of(0.12)).isEqualTo(Profile.EXTREME);
    assertThat(Profile.of(null)).isEqualTo(Profile.UNKNOWN);
  }

  @Test
  void onePrintedMeanNeverCarriesTwoProfiles() {
    // a trajectory printed both as "moved by 0.0500", one heavy and one standard
    assertThat(Profile.printed(0.04997)).isEqualTo(Profile.printed(0.05002)).isEqualTo("0.0500");
    assertThat(Profile.of(0.04997)).isEqualTo(Profile.of(0.05002)).isEqualTo(Profile.HEAVY);
    assertThat(Profile.of(0.01496)).isEqualTo(Profile.STANDARD); // prints 0.0150
    assertThat(Profile.of(0.11996)).isEqualTo(Profile.EXTREME); // prints 0.1200
    for (double boundary : new double[] {0.015, 0.05, 0.12}) {
      for (double x = boundary - 2e-4; x < boundary + 2e-4; x += 1e-7) {
        double shown = Double.parseDouble(Profile.printed(x));
        assertThat(Profile.of(x)).as("%s prints %s", x, shown).isEqualTo(Profile.of(shown));
      }
    }
  }

  private static Finding only(Diagnosis d, String category) {
    List<Finding> found = d.findings().stream().filter(f -> f.category().equals(category)).toList();
    assertThat(found).as(category).hasSize(1);
    return found.get(0);
  }
}
