package io.deltascope.diagnosis;

import io.deltascope.diff.WeightDiffResult;
import java.util.List;

/**
 * A weight diff in plain words: what the pair is, how much the weights moved, and what a person
 * should look at. Computed once from the result; every report renders this object.
 *
 * @param kind what the pair is: identical, quantization, lora_merge, unrelated, fine_tune; null
 *     when a structure-only run cannot tell
 * @param profile surgical, standard, heavy, extreme (or unknown) for a fine-tune; null for the
 *     other kinds, whose magnitude is not a fine-tune's
 * @param meanRelativeDelta the mean relative change over the 2-D weight tensors
 * @param meanOf which mean that is, in words
 * @param summary one or two sentences a person can act on
 * @param findings what was noticed, most important first
 */
public record Diagnosis(
    String kind,
    String profile,
    Double meanRelativeDelta,
    String meanOf,
    String summary,
    List<Finding> findings) {

  /** The diagnosis from the tensors alone (no configs, no quantized side known). */
  public static Diagnosis of(WeightDiffResult result) {
    return of(result, PairFacts.quantized(List.of()));
  }

  public static Diagnosis of(WeightDiffResult result, PairFacts facts) {
    return Diagnoser.diagnose(PairRows.of(result, facts));
  }
}
