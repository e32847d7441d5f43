package io.deltascope.diagnosis;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where each component's change concentrated in time: the step in which the component (over every
 * layer) changed most, and that step's share of the component's summed step changes. Needs two
 * steps or more.
 */
final class ChangeConcentration {
  private ChangeConcentration() {}

  static List<Finding> of(StepSeries steps) {
    if (steps.size() < 2) {
      return List.of();
    }
    List<String> parts = new ArrayList<>();
    for (String component : steps.components()) {
      double[] change = steps.relativeChange(r -> Objects.equals(r.getComponent(), component));
      double total = StepSeries.sum(change);
      if (total <= 0) {
        continue;
      }
      int peak = 0;
      for (int k = 1; k < change.length; k++) {
        peak = change[k] > change[peak] ? k : peak;
      }
      parts.add(
          component
              + " in step "
              + steps.label(peak)
              + " ("
              + StepSeries.percent(change[peak] / total)
              + ")");
    }
    if (parts.isEmpty()) {
      return List.of();
    }
    return List.of(
        Finding.info(
            "concentration",
            "Where each component changed most",
            "the step with each component's largest relative change, and its share of the"
                + " component's summed step changes: "
                + String.join(", ", parts)));
  }
}
