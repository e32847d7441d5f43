package io.deltascope.diagnosis;

import io.deltascope.diff.WeightDiffResult;
import java.util.List;

/**
 * A weight diff in plain words: how much the weights moved, what kind of change it looks like, and
 * what a person should look at. Computed once from the result; every report renders this object.
 *
 * @param profile surgical, standard, heavy, extreme (or unknown)
 * @param meanRelativeDelta the mean the profile comes from
 * @param meanOf which mean that is, in words
 * @param summary one or two sentences a person can act on
 * @param findings what was noticed, most important first
 */
public record Diagnosis(
    String profile,
    Double meanRelativeDelta,
    String meanOf,
    String summary,
    List<Finding> findings) {

  public static Diagnosis of(WeightDiffResult result) {
    return new Diagnoser(result).diagnose();
  }
}
