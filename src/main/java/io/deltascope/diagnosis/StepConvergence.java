package io.deltascope.diagnosis;

import java.util.List;

/**
 * Whether the step size shrinks along the trajectory: the headline mean relative change of each
 * consecutive step, smaller at every step, smaller at the end than at the start, or not. Needs
 * three steps or more; says nothing about spacing, which the checkpoints' names do not carry.
 */
final class StepConvergence {
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
    if (shrinksEveryStep(sizes)) {
      return List.of(Finding.info("convergence", "The step size shrank at every step", detail));
    }
    if (last < sizes[0]) {
      return List.of(
          Finding.info(
              "convergence", "The step size shrank overall, but not at every step", detail));
    }
    return List.of(
        Finding.notice(
            "convergence",
            "The step size is not shrinking: the last step is as large as the first or larger",
            detail));
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
