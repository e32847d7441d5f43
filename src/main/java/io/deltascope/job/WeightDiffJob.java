package io.deltascope.job;

import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.diff.FanOut;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorMetricsRow;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * weight-diff on Spark: the driver has planned the comparisons from headers; this groups them by
 * the base tensor they read, packs the groups into partitions of balanced bytes, and has executors
 * map their ranges and compute the metrics. Several plans (a batch) run as one job, and a base
 * tensor that several fine-tunes share is read once.
 */
public final class WeightDiffJob {
  /** Partitions per core: enough to even out tensors of very different sizes. */
  static final int PARTITIONS_PER_CORE = 3;

  private WeightDiffJob() {}

  /**
   * What became of one plan: its result, or the error that stopped it.
   *
   * @param plan the plan
   * @param result its result; null when {@code error} is set
   * @param error the one-line error, or null
   */
  public record Outcome(WeightDiffPlan plan, WeightDiffResult result, String error) {}

  /** The comparisons of {@code plans}, computed lazily by executors. */
  static JavaRDD<PairRow> rows(
      SparkSession spark,
      List<WeightDiffPlan> plans,
      LongAccumulator tensorsDone,
      LongAccumulator bytesDone) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<List<FanOut>> bins =
        WorkBins.pack(
            FanOut.of(plans), FanOut::bytesToRead, jsc.defaultParallelism() * PARTITIONS_PER_CORE);
    if (bins.isEmpty()) {
      return jsc.emptyRDD();
    }
    HadoopSettings hadoop = HadoopSettings.forFiles(spark, files(plans));
    return jsc.parallelize(bins, bins.size())
        .mapPartitions(new ComputeDeltaMetrics(tensorsDone, bytesDone, hadoop));
  }

  /** Runs one plan; a failure on an executor is thrown as a one-line CheckpointException. */
  public static WeightDiffResult run(
      SparkSession spark, WeightDiffPlan plan, boolean showProgress) {
    Outcome outcome = runAll(spark, List.of(plan), showProgress).get(0);
    if (outcome.error() != null) {
      throw new CheckpointException(outcome.error());
    }
    return outcome.result();
  }

  /** Runs every plan in one Spark job and assembles each plan's result on the driver. */
  public static List<Outcome> runAll(
      SparkSession spark, List<WeightDiffPlan> plans, boolean showProgress) {
    LongAccumulator tensorsDone = spark.sparkContext().longAccumulator("tensors compared");
    LongAccumulator bytesDone = spark.sparkContext().longAccumulator("bytes read");
    JavaRDD<PairRow> rows = rows(spark, plans, tensorsDone, bytesDone);
    List<PairRow> collected;
    try (Progress progress =
        showProgress
            ? Progress.start(
                System.err,
                "weight-diff",
                tensorsDone::value,
                plans.stream().mapToLong(p -> p.pairs().size()).sum(),
                bytesDone::value,
                plans.stream().mapToLong(WeightDiffPlan::bytesToRead).sum())
            : Progress.quiet()) {
      collected = rows.collect();
    }
    return assemble(plans, collected);
  }

  private static List<Outcome> assemble(List<WeightDiffPlan> plans, List<PairRow> collected) {
    List<List<TensorMetricsRow>> byPlan = new ArrayList<>();
    String[] errors = new String[plans.size()];
    plans.forEach(p -> byPlan.add(new ArrayList<>()));
    for (PairRow row : collected) {
      if (row.error() != null) {
        errors[row.plan()] = errors[row.plan()] == null ? row.error() : errors[row.plan()];
      } else {
        byPlan.get(row.plan()).add(row.row());
      }
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) {
      outcomes.add(
          errors[i] != null
              ? new Outcome(plans.get(i), null, errors[i])
              : new Outcome(plans.get(i), WeightDiffResult.of(plans.get(i), byPlan.get(i)), null));
    }
    return outcomes;
  }

  private static List<String> files(List<WeightDiffPlan> plans) {
    List<String> files = new ArrayList<>();
    for (WeightDiffPlan plan : plans) {
      files.addAll(plan.base().files());
      files.addAll(plan.finetuned().files());
    }
    return files;
  }
}
