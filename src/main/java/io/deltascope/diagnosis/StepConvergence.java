package io.deltascope.diagnosis;

import java.util.List;

/**
 * Whether the step size shrinks along the trajectory: the headline mean relative change of each
 * consecutive step, the last at most {@link #SHRUNK} of the first (at every step, or overall), or
 * not (steady within that margin, or growing). Needs three steps or more; says nothing about
 * spacing, which the checkpoints' names do not carry.
 */
final class StepConvergence {
  /** The last step at most this fraction of the first: shrunk; steadier series are not. */
  static final double SHRUNK = 0.8;

  private StepConvergence() {}

  static List<Finding> of(StepSeries steps) {
    double[] sizes = steps.headline();
    if (sizes == null || steps.size() < 3 || sizes[0] <= 0) {
      return List.of();
    }
    double last = sizes[sizes.length - 1];
    String detail =
        "mean relative change per step: "
            + series(sizes)
            + "; last / first = "
            + StepSeries.number(last / sizes[0])
            + ". Steps are compared as given: checkpoints spaced unevenly make steps of different"
            + " lengths.";
    double ratio = last / sizes[0];
    if (ratio <= SHRUNK) {
      return List.of(
          Finding.info(
              "convergence",
              shrinksEveryStep(sizes)
                  ? "The step size shrank at every step"
                  : "The step size shrank overall, but not at every step",
              detail));
    }
    String how =
        ratio >= 1 / SHRUNK
            ? "the last step is " + StepSeries.number(ratio) + " times the first"
            : "the last step is within " + StepSeries.percent(1 - SHRUNK) + " of the first";
    return List.of(Finding.notice("convergence", "The step size is not shrinking: " + how, detail));
  }

  private static boolean shrinksEveryStep(double[] sizes) {
    for (int k = 1; k < sizes.length; k++) {
      if (sizes[k] >= sizes[k - 1]) {
        return false;
      }
    }
    return true;
  }

  private static String series(double[] sizes) {
    StringBuilder s = new StringBuilder();
    for (double v : sizes) {
      s.append(s.length() == 0 ? "" : ", ").append(StepSeries.number(v));
    }
    return s.toString();
  }
}
