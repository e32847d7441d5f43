package io.deltascope.diagnosis;

import io.deltascope.diff.TrajectoryResult;
import java.util.ArrayList;
import java.util.List;

/**
 * What a training trajectory shows as a whole, from its consecutive steps: a checkpoint that jumps,
 * whether the step size shrinks, a layer that moved late, and where each component's change
 * concentrated. Warnings first.
 */
public final class TrajectoryFindings {
  private TrajectoryFindings() {}

  public static List<Finding> of(TrajectoryResult result) {
    StepSeries steps = StepSeries.of(result);
    List<Finding> out = new ArrayList<>();
    out.addAll(StepJumps.of(steps));
    out.addAll(LateLayers.of(steps));
    out.addAll(StepConvergence.of(steps));
    out.addAll(ChangeConcentration.of(steps));
    return List.copyOf(out);
  }
}
