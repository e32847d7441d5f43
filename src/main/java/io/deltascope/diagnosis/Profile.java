package io.deltascope.diagnosis;

import java.util.Locale;

/**
 * How much a fine-tune moved the weights, from the mean relative change over its 2-D weight
 * tensors: surgical (below 0.015), standard (below 0.05), heavy (below 0.12), extreme. The mean is
 * judged as it is printed ({@link #printed}), so one printed value never carries two labels
 * (0.04997 and 0.05002 both print 0.0500, and both are heavy).
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
    double shown = Double.parseDouble(printed(meanRelativeDelta));
    for (Profile p : values()) {
      if (shown < p.below) {
        return p;
      }
    }
    return EXTREME;
  }

  /** The mean relative change as the words print it ("0.0834"). */
  public static String printed(double meanRelativeDelta) {
    return String.format(Locale.ROOT, "%.4f", meanRelativeDelta);
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
