package io.deltascope.diff;

import java.util.Locale;

/** What the comparison of one tensor name found; stored in lower case in results. */
public enum TensorStatus {
  /** On both sides with the same shape: every metric. */
  COMPARED,
  /** Shapes differ; metrics on the common leading rows when only the first dimension differs. */
  SHAPE_CHANGED,
  ONLY_IN_BASE,
  ONLY_IN_FINETUNED,
  /** Integer or bool tensors: listed structurally, without metrics. */
  NOT_NUMERIC;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
