package io.deltascope.diagnosis;

import java.util.Locale;

/**
 * How much a fine-tune moved the weights, from the mean relative change over its 2-D weight
 * tensors: surgical (below 0.015), standard (below 0.05), heavy (below 0.12), extreme.
 */
public enum Profile {
  SURGICAL(0.015),
  STANDARD(0.05),
  HEAVY(0.12),
  EXTREME(Double.POSITIVE_INFINITY),
  /** No 2-D weight tensor was compared. */
  UNKNOWN(Double.NaN);

  private final double below;

  Profile(double below) {
    this.below = below;
  }

  public static Profile of(Double meanRelativeDelta) {
    if (meanRelativeDelta == null || meanRelativeDelta.isNaN()) {
      return UNKNOWN;
    }
    for (Profile p : values()) {
      if (meanRelativeDelta < p.below) {
        return p;
      }
    }
    return EXTREME;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
