package io.deltascope.diagnosis;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A layer that moved late: at least {@link #SHARE} of its summed step changes came in the later
 * half of the steps, and at least {@link #OVER_MODEL} times the share of the decoder layers
 * together, so that a trajectory that simply moves more at the end does not flag every layer.
 */
final class LateLayers {
  static final double SHARE = 0.5;
  static final double OVER_MODEL = 1.5;

  private LateLayers() {}

  static List<Finding> of(StepSeries steps) {
    if (steps.size() < 2) {
      return List.of();
    }
    int lateFrom = steps.size() - steps.size() / 2; // the later half: the last floor(m / 2) steps
    double model = lateShare(steps.relativeChange(r -> r.layer() != null), lateFrom);
    List<Finding> out = new ArrayList<>();
    for (Integer layer : steps.layers()) {
      double share =
          lateShare(steps.relativeChange(r -> Objects.equals(r.layer(), layer)), lateFrom);
      if (share >= SHARE && share >= OVER_MODEL * model) {
        out.add(
            Finding.notice(
                "late_layer",
                "Layer " + layer + " moved late",
                StepSeries.percent(share)
                    + " of its summed step changes came in the last "
                    + (steps.size() - lateFrom)
                    + " of "
                    + steps.size()
                    + " steps (from step "
                    + steps.label(lateFrom)
                    + "), against "
                    + StepSeries.percent(model)
                    + " for the decoder layers together"));
      }
    }
    return out;
  }

  /** The share of the total in steps {@code lateFrom} and after; 0 when nothing moved. */
  private static double lateShare(double[] change, int lateFrom) {
    double total = StepSeries.sum(change);
    if (total <= 0) {
      return 0;
    }
    double late = 0;
    for (int k = lateFrom; k < change.length; k++) {
      late += change[k];
    }
    return late / total;
  }
}
