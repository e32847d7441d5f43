package io.deltascope.diagnosis;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where each component's change concentrated in time: the step in which the component (over every
 * layer) changed most, and that step's share of the component's summed step changes, named only
 * when it is at least {@link #PEAK} times an even share ("evenly" otherwise). Needs two steps or
 * more.
 */
final class ChangeConcentration {
  /** A step is a component's peak when its share is at least this many times an even share. */
  static final double PEAK = 1.5;

  private ChangeConcentration() {}

  static List<Finding> of(StepSeries steps) {
    if (steps.size() < 2) {
      return List.of();
    }
    List<String> parts = new ArrayList<>();
    for (String component : steps.components()) {
      double[] change = steps.relativeChange(r -> Objects.equals(r.component(), component));
      double total = StepSeries.sum(change);
      if (total <= 0) {
        continue;
      }
      int peak = 0;
      for (int k = 1; k < change.length; k++) {
        peak = change[k] > change[peak] ? k : peak;
      }
      double share = change[peak] / total;
      // a peak only when that step holds clearly more than an even share
      parts.add(
          share >= PEAK / change.length
              ? component + " in step " + steps.label(peak) + " (" + StepSeries.percent(share) + ")"
              : component + " evenly (no step above " + StepSeries.percent(share) + ")");
    }
    if (parts.isEmpty()) {
      return List.of();
    }
    return List.of(
        Finding.info(
            "concentration",
            "Where each component changed most",
            "the step with each component's largest relative change and its share of the"
                + " component's summed step changes, or evenly when no step holds 1.5 times an"
                + " even share: "
                + String.join(", ", parts)));
  }
}
