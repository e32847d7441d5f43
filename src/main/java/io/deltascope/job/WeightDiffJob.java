package io.deltascope.job;

import io.deltascope.diff.DeltaSpectra;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.TensorPair;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorMetricsRow;
import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.Spectrum;
import io.deltascope.tensor.SpectrumStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * weight-diff on Spark: the driver has planned the comparisons from headers; this packs them into
 * partitions of balanced bytes and has executors map their ranges and compute the metrics and, in
 * the same pass, the spectra of the deltas that fit a task. Deltas above the distributed threshold
 * then get their spectra from MLlib's RowMatrix Gramian over many tasks ({@link
 * DistributedSpectrum}).
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
      LongAccumulator bytesDone,
      SpectrumSettings spectra) {
    return spark.createDataset(
        rows(spark, plan, tensorsDone, bytesDone, spectra).rdd(), TensorMetricsRow.ENCODER);
  }

  /**
   * The comparisons as rows, computed lazily by executors. {@link #run} collects these directly:
   * going through a Dataset would cost a query plan and generated code for a few hundred rows.
   */
  static JavaRDD<TensorMetricsRow> rows(
      SparkSession spark,
      WeightDiffPlan plan,
      LongAccumulator tensorsDone,
      LongAccumulator bytesDone,
      SpectrumSettings spectra) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<List<TensorPair>> bins =
        WorkBins.pack(
            plan.pairs(), jsc.defaultParallelism() * PARTITIONS_PER_CORE, spectra::estimatedCost);
    if (bins.isEmpty()) {
      return jsc.emptyRDD();
    }
    JavaRDD<List<TensorPair>> work = jsc.parallelize(bins, bins.size());
    return work.mapPartitions(
        new ComputeDeltaMetrics(
            tensorsDone, bytesDone, HadoopSettings.forFiles(spark, files(plan)), spectra));
  }

  static List<String> files(WeightDiffPlan plan) {
    List<String> files = new java.util.ArrayList<>(plan.base().files());
    files.addAll(plan.finetuned().files());
    return files;
  }

  /** Runs the comparisons, with every spectrum, and assembles the result on the driver. */
  public static WeightDiffResult run(
      SparkSession spark, WeightDiffPlan plan, boolean showProgress) {
    return run(spark, plan, showProgress, SpectrumSettings.DEFAULT);
  }

  /** Runs the comparisons and assembles the result on the driver. */
  public static WeightDiffResult run(
      SparkSession spark, WeightDiffPlan plan, boolean showProgress, SpectrumSettings spectra) {
    LongAccumulator tensorsDone = spark.sparkContext().longAccumulator("tensors compared");
    LongAccumulator bytesDone = spark.sparkContext().longAccumulator("bytes read");
    JavaRDD<TensorMetricsRow> metrics = rows(spark, plan, tensorsDone, bytesDone, spectra);
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
    distributedSpectra(spark, plan, computed, spectra);
    return WeightDiffResult.of(plan, computed);
  }

  /** Fills in the spectra the executors left to the distributed path, one delta at a time. */
  static void distributedSpectra(
      SparkSession spark,
      WeightDiffPlan plan,
      List<TensorMetricsRow> rows,
      SpectrumSettings spectra) {
    Map<String, TensorPair> pairs =
        plan.pairs().stream().collect(Collectors.toMap(TensorPair::name, Function.identity()));
    for (TensorMetricsRow row : rows) {
      TensorPair pair = pairs.get(row.getName());
      if (pair == null
          || row.getSpectrumStatus() != null
          || spectra.pathFor(pair) != SpectrumSettings.Path.DISTRIBUTED) {
        continue;
      }
      DeltaMetrics metrics = io.deltascope.diff.WeightDiffResult.metricsOf(row);
      if (!DistributedSpectrum.fits(pair)) {
        row.withSpectrum(Spectrum.none(SpectrumStatus.TOO_LARGE), null);
        continue;
      }
      double[] s =
          DistributedSpectrum.singularValues(
              spark, pair, HadoopSettings.forFiles(spark, files(plan)));
      row.withSpectrum(DeltaSpectra.of(pair, metrics, s, spectra), DistributedSpectrum.METHOD);
    }
  }
}
