package io.deltascope.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import io.deltascope.RewrittenModels;
import io.deltascope.checkpoint.DType;
import io.deltascope.diff.LocalDiff;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a pair is, decided from the whole pair, on real pairs of every kind. */
class KindTest {
  @TempDir Path dir;

  static Diagnosis diagnose(WeightDiffPlan plan) {
    WeightDiffResult result = LocalDiff.of(plan);
    return Diagnosis.of(result, PairFacts.of(plan));
  }

  static Diagnosis diagnose(String base, String finetuned) {
    return diagnose(LocalDiff.plan(base, finetuned));
  }

  @Test
  void aModelAgainstItselfIsIdenticalWithNoFineTuneWords() {
    Diagnosis d = diagnose("llama-sft", "llama-sft");
    assertThat(d.kind()).isEqualTo("identical");
    assertThat(d.profile()).isNull();
    assertThat(d.summary()).startsWith("Identical: all 39 tensors are bit-equal");
    assertThat(d.findings()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "llama-base, llama-sft, heavy",
    "gpt2-base, gpt2-sft,",
    "qwen2-base, qwen2-sft,",
    "gemma3-base, gemma3-sft,",
    "llama-base, llama-sft-resized,"
  })
  void theBundledFineTunesAreFineTunesWithTheirProfile(
      String base, String finetuned, String profile) {
    Diagnosis d = diagnose(base, finetuned);
    assertThat(d.kind()).isEqualTo("fine_tune");
    assertThat(d.profile()).isEqualTo(Profile.of(d.meanRelativeDelta()).label());
    if (profile != null) {
      assertThat(d.profile()).isEqualTo(profile);
    }
    assertThat(d.summary()).contains("fine-tune");
  }

  @Test
  void theResizedVocabularyStaysAFineTuneWithItsResizeFindings() {
    Diagnosis d = diagnose("llama-base", "llama-sft-resized");
    assertThat(d.kind()).isEqualTo("fine_tune");
    assertThat(d.findings())
        .filteredOn(f -> f.category().equals("vocabulary"))
        .extracting(Finding::title)
        .containsExactlyInAnyOrder(
            "Vocabulary resized: +8 rows in lm_head.weight",
            "Vocabulary resized: +8 rows in model.embed_tokens.weight");
  }

  @Test
  void theMergedLoraIsALoraMergeNamingRankAndTargetsAndNeverCalledExtreme() {
    Diagnosis d = diagnose("llama-base", "llama-lora-merged");
    assertThat(d.kind()).isEqualTo("lora_merge");
    assertThat(d.profile()).isNull();
    assertThat(d.meanRelativeDelta()).isPositive();
    assertThat(d.summary())
        .contains("rank-4 LoRA-like update on attn_q and attn_v of every layer")
        .contains("rank 4, target modules attn_q, attn_v")
        .doesNotContainIgnoringCase("extreme")
        .doesNotContain("fine-tune:");
    assertThat(d.findings()).allSatisfy(f -> assertThat(f.title()).doesNotContain("xtreme"));
  }

  @Test
  void llamaAgainstQwen2IsUnrelatedWithShapesGroupedByComponentAndNoVocabularyWords() {
    Diagnosis d = diagnose("llama-base", "qwen2-base");
    assertThat(d.kind()).isEqualTo("unrelated");
    assertThat(d.profile()).isNull();
    assertThat(d.summary())
        .startsWith("Unrelated models (model_type llama vs qwen2")
        .contains("shapes differ in mlp_down, mlp_gate, mlp_up")
        .doesNotContain("fine-tune:");
    assertThat(d.findings()).noneMatch(f -> f.title().contains("Vocabulary"));
    assertThat(d.findings()).noneMatch(f -> f.category().equals("lora"));
    assertThat(d.findings())
        .filteredOn(f -> f.category().equals("shape"))
        .extracting(Finding::title)
        .containsExactly(
            "mlp_down: 4 tensors [128, 352] -> [128, 384] (layers 0-3)",
            "mlp_gate: 4 tensors [352, 128] -> [384, 128] (layers 0-3)",
            "mlp_up: 4 tensors [352, 128] -> [384, 128] (layers 0-3)");
  }

  @ParameterizedTest
  @CsvSource({"llama-sft.q8_0.gguf, Q8_0", "llama-sft.q4_0.gguf, Q4_0"})
  void aGgufOfTheSameModelIsAQuantizationWithBitsPerWeightAndNoLoraOrProfile(
      String file, String type) {
    Path gguf = Fixtures.root().resolve("gguf").resolve(file);
    Diagnosis d =
        diagnose(LocalDiff.planOf(Fixtures.model("llama-sft").toString(), gguf.toString()));
    assertThat(d.kind()).isEqualTo("quantization");
    assertThat(d.profile()).isNull();
    assertThat(d.summary())
        .startsWith("Quantization of the same model (finetuned side " + file + " at ")
        .contains("bits per weight, " + type)
        .contains("the drift is rounding, relative change ")
        .contains("RMSE ")
        .contains("lowest cosine ");
    assertThat(d.findings()).noneMatch(f -> f.category().equals("lora"));
    assertThat(d.findings()).noneMatch(f -> f.category().equals("depth"));
    assertThat(d.findings())
        .filteredOn(f -> f.category().equals("dtype"))
        .extracting(Finding::title)
        .containsExactly(
            "Stored type changed: 30 tensors BF16 -> " + type + ", 9 tensors BF16 -> F32");
  }

  @ParameterizedTest
  @CsvSource({"llama-sft.q8_0.gguf, 0.004, Q8_0", "llama-sft.q4_0.gguf, 0.03, Q4_0"})
  void aGgufOfAFineTuneWithDriftAsSmallAsRoundingIsAFineTuneAlsoQuantized(
      String file, double scale, String type) throws IOException {
    Path sft = Fixtures.model("llama-sft");
    Path same = RequantizedGguf.write(file, 0, dir.resolve("same-" + file));
    Path tuned = RequantizedGguf.write(file, scale, dir.resolve("tuned-" + file));

    // quantizing the decoded values again moves nothing: still the same model, quantized
    Diagnosis again = diagnose(LocalDiff.planOf(sft.toString(), same.toString()));
    assertThat(again.kind()).isEqualTo("quantization");

    // a fine-tune of llama-sft, then quantized: no tensor moved more than the type's rounding can
    // move it (so the relative change alone would call it a quantization), yet many values lie
    // outside their block's rounding bound
    WeightDiffPlan plan = LocalDiff.planOf(sft.toString(), tuned.toString());
    WeightDiffResult result = LocalDiff.of(plan);
    for (var r : result.compared()) {
      if (type.equals(r.dtypeFinetuned())) {
        assertThat(r.relativeDelta()).as(r.name()).isLessThan(KindRule.roundingBound("BF16", type));
        assertThat(r.outsideRounding()).as(r.name()).isPositive();
      }
    }
    Diagnosis d = Diagnosis.of(result, PairFacts.of(plan));
    assertThat(d.kind()).isEqualTo("fine_tune");
    assertThat(d.profile()).isNotNull();
    assertThat(d.findings())
        .filteredOn(f -> f.category().equals("quantization"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.title())
                  .startsWith("Also quantized: finetuned side tuned-" + file + " at ")
                  .contains(" bits per weight");
              assertThat(f.detail()).contains("lie outside their block's rounding bound");
            });
    assertThat(d.findings()).noneMatch(f -> f.category().equals("lora"));
  }

  @Test
  void aQ4KGgufOfAFineTuneIsAFineTuneWhereTheRelativeChangeAloneWouldSayQuantization()
      throws IOException {
    float[] x = KQuantPair.weights();
    String floats = KQuantPair.writeFloats(x, dir.resolve("model.safetensors")).toString();
    Path same = KQuantPair.writeQ4K(x, 0, dir.resolve("same.q4_k.gguf"));
    Path tuned = KQuantPair.writeQ4K(x, 1e-3, dir.resolve("tuned.q4_k.gguf"));

    Diagnosis again = diagnose(LocalDiff.planOf(floats, same.toString()));
    assertThat(again.kind()).isEqualTo("quantization");

    // each value moved by 1e-3 of itself, then quantized: far less than Q4_K's rounding overall,
    // yet values lie outside their group's half step
    WeightDiffPlan plan = LocalDiff.planOf(floats, tuned.toString());
    WeightDiffResult result = LocalDiff.of(plan);
    assertThat(Diagnosis.of(result, PairFacts.of(plan)).kind()).isEqualTo("fine_tune");
    assertThat(result.compared())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.dtypeFinetuned()).isEqualTo("Q4_K");
              assertThat(r.relativeDelta()).isLessThan(KindRule.roundingBound("F32", "Q4_K"));
              assertThat(r.outsideRounding()).isPositive();
            });
  }

  @Test
  void theBundledGgufsLeaveNoValueOutsideTheirBlocksRoundingBound() {
    for (String file : List.of("llama-sft.q8_0.gguf", "llama-sft.q4_0.gguf")) {
      Path gguf = Fixtures.root().resolve("gguf").resolve(file);
      WeightDiffResult result =
          LocalDiff.of(LocalDiff.planOf(Fixtures.model("llama-sft").toString(), gguf.toString()));
      long checked = result.compared().stream().filter(r -> r.outsideRounding() != null).count();
      assertThat(checked).as(file).isEqualTo(30);
      assertThat(result.compared())
          .allSatisfy(r -> assertThat(r.outsideRounding()).as(r.name()).isIn(null, 0L));
    }
  }

  @Test
  void aGgufOfAnotherFineTuneIsAFineTuneWithoutARankZeroLora() {
    // llama-sft quantized to Q8_0 against llama-base: far more than Q8_0's rounding moved
    Path gguf = Fixtures.root().resolve("gguf").resolve("llama-sft.q8_0.gguf");
    Diagnosis d =
        diagnose(LocalDiff.planOf(Fixtures.model("llama-base").toString(), gguf.toString()));
    assertThat(d.kind()).isEqualTo("fine_tune");
    assertThat(d.findings()).noneMatch(f -> f.category().equals("lora"));
  }

  @Test
  void aPureUpcastIsALosslessChangeOfStoragePrecisionInOneGroupedLine() throws IOException {
    Path f32 = retyped("llama-base", DType.F32);
    Diagnosis d =
        diagnose(LocalDiff.planOf(Fixtures.model("llama-base").toString(), f32.toString()));
    assertThat(d.kind()).isEqualTo("quantization");
    assertThat(d.summary())
        .isEqualTo(
            "Only the storage precision changed (39 tensors BF16 -> F32, 16.00 -> 32.00 bits per"
                + " weight); every value is equal after decoding: a lossless conversion.");
  }

  @Test
  void roundingF32WeightsToBf16IsAQuantizationNotAFineTune() throws IOException {
    // the merged LoRA is stored in F32 with values BF16 cannot hold: rounding moves every matrix
    Path bf16 = retyped("llama-lora-merged", DType.BF16);
    Diagnosis d =
        diagnose(LocalDiff.planOf(Fixtures.model("llama-lora-merged").toString(), bf16.toString()));
    assertThat(d.kind()).isEqualTo("quantization");
    assertThat(d.summary())
        .startsWith("Quantization of the same model (39 tensors F32 -> BF16, 32.00 -> 16.00 bits")
        .contains("the drift is rounding");
    assertThat(d.findings()).noneMatch(f -> f.category().equals("lora"));
  }

  @Test
  void structureOnlyRunsSayOnlyWhatHeadersShow() {
    WeightDiffPlan plan = LocalDiff.plan("llama-base", "qwen2-base");
    Diagnosis unrelated = Diagnosis.of(WeightDiffResult.headersOnly(plan), PairFacts.of(plan));
    assertThat(unrelated.kind()).isEqualTo("unrelated");
    assertThat(unrelated.summary()).startsWith("Headers only, no tensor value read");
    plan = LocalDiff.plan("llama-base", "llama-sft");
    Diagnosis unknown = Diagnosis.of(WeightDiffResult.headersOnly(plan), PairFacts.of(plan));
    assertThat(unknown.kind()).isNull();
    assertThat(unknown.profile()).isNull();
    assertThat(unknown.findings())
        .noneMatch(f -> List.of("untouched", "norms", "lora", "depth").contains(f.category()));
  }

  private Path retyped(String model, DType to) throws IOException {
    return RewrittenModels.retyped(model, to, dir);
  }
}
