package io.deltascope.diff;

import java.util.List;

/**
 * Every pair of a trajectory compared.
 *
 * @param trajectory the checkpoints and pairs
 * @param results each pair's result, in the order of {@code trajectory.pairs()}
 */
public record TrajectoryResult(Trajectory trajectory, List<WeightDiffResult> results) {

  /** The result of {@code pair}, one of the trajectory's. */
  public WeightDiffResult of(Trajectory.Pair pair) {
    int i = trajectory.pairs().indexOf(pair);
    if (i < 0) {
      throw new IllegalArgumentException("not a pair of this trajectory: " + pair.name());
    }
    return results.get(i);
  }
}
