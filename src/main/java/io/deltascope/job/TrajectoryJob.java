package io.deltascope.job;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.diff.FanOut;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.Trajectory;
import io.deltascope.diff.TrajectoryResult;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * A trajectory on Spark: every pair planned on the driver, then one job whose units each read one
 * tensor from every checkpoint once and compare it for every pair that uses it ({@link
 * FanOut#byName}), so n checkpoints cost n checkpoints' bytes, not 2(n - 1) pairs' worth.
 */
public final class TrajectoryJob {
  private TrajectoryJob() {}

  /**
   * @param plans each pair's plan ({@link #plans}), in the trajectory's pair order
   * @throws CheckpointException with the first pair's one-line error when any pair fails
   */
  public static TrajectoryResult run(
      SparkSession spark,
      Trajectory trajectory,
      List<WeightDiffPlan> plans,
      boolean showProgress,
      SpectrumSettings spectra) {
    List<WeightDiffJob.Outcome> outcomes =
        WeightDiffJob.runAll(spark, plans, FanOut.byName(plans), showProgress, spectra);
    List<WeightDiffResult> results = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      if (outcomes.get(i).error() != null) {
        throw new CheckpointException(
            "pair " + trajectory.pairs().get(i).name() + ": " + outcomes.get(i).error());
      }
      results.add(outcomes.get(i).result());
    }
    return new TrajectoryResult(trajectory, List.copyOf(results));
  }

  /** Each pair's plan, from the checkpoints' headers. */
  public static List<WeightDiffPlan> plans(Trajectory trajectory, List<Checkpoint> checkpoints) {
    return trajectory.pairs().stream()
        .map(p -> WeightDiffPlan.of(checkpoints.get(p.from()), checkpoints.get(p.to())))
        .toList();
  }
}
