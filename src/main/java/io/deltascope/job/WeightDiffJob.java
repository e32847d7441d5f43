package io.deltascope.job;

import io.deltascope.diff.TensorPair;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorMetricsRow;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * weight-diff on Spark: the driver has planned the comparisons from headers; this packs them into
 * partitions of balanced bytes and has executors map their ranges and compute the metrics.
 */
public final class WeightDiffJob {
  /** Partitions per core: enough to even out tensors of very different sizes. */
  static final int PARTITIONS_PER_CORE = 3;

  private WeightDiffJob() {}

  /** The comparisons as a typed Dataset, computed lazily by executors. */
  public static Dataset<TensorMetricsRow> metrics(
      SparkSession spark,
      WeightDiffPlan plan,
      LongAccumulator tensorsDone,
      LongAccumulator bytesDone) {
    return spark.createDataset(
        rows(spark, plan, tensorsDone, bytesDone).rdd(), TensorMetricsRow.ENCODER);
  }

  /**
   * The comparisons as rows, computed lazily by executors. {@link #run} collects these directly:
   * going through a Dataset would cost a query plan and generated code for a few hundred rows.
   */
  static JavaRDD<TensorMetricsRow> rows(
      SparkSession spark,
      WeightDiffPlan plan,
      LongAccumulator tensorsDone,
      LongAccumulator bytesDone) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<List<TensorPair>> bins =
        WorkBins.pack(plan.pairs(), jsc.defaultParallelism() * PARTITIONS_PER_CORE);
    if (bins.isEmpty()) {
      return jsc.emptyRDD();
    }
    JavaRDD<List<TensorPair>> work = jsc.parallelize(bins, bins.size());
    return work.mapPartitions(new ComputeDeltaMetrics(tensorsDone, bytesDone));
  }

  /** Runs the comparisons and assembles the result on the driver. */
  public static WeightDiffResult run(
      SparkSession spark, WeightDiffPlan plan, boolean showProgress) {
    LongAccumulator tensorsDone = spark.sparkContext().longAccumulator("tensors compared");
    LongAccumulator bytesDone = spark.sparkContext().longAccumulator("bytes read");
    JavaRDD<TensorMetricsRow> metrics = rows(spark, plan, tensorsDone, bytesDone);
    List<TensorMetricsRow> computed;
    try (Progress progress =
        showProgress
            ? Progress.start(
                System.err,
                "weight-diff",
                tensorsDone::value,
                plan.pairs().size(),
                bytesDone::value,
                plan.bytesToRead())
            : Progress.quiet()) {
      computed = metrics.collect();
    }
    return WeightDiffResult.of(plan, computed);
  }
}
