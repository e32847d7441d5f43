package io.deltascope.job;

import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.diff.DeltaSpectra;
import io.deltascope.diff.FanOut;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.TensorPair;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorResult;
import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.Spectrum;
import io.deltascope.tensor.SpectrumStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * weight-diff on Spark: the driver has planned the comparisons from headers; this groups them by
 * the base tensor they read, packs the groups into partitions of balanced work, and has executors
 * map their ranges and compute the metrics and, in the same pass, the spectra of the deltas that
 * fit a task. Several plans (a batch) run as one job, and a base tensor that several fine-tunes
 * share is read once. Deltas above the distributed threshold then get their spectra from MLlib's
 * RowMatrix Gramian over many tasks ({@link DistributedSpectrum}).
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
      List<FanOut> units,
      LongAccumulator tensorsDone,
      LongAccumulator bytesDone,
      SpectrumSettings spectra) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<List<FanOut>> bins =
        WorkBins.pack(
            units,
            unit -> unit.pairs().stream().mapToLong(spectra::estimatedCost).sum(),
            jsc.defaultParallelism() * PARTITIONS_PER_CORE);
    if (bins.isEmpty()) {
      return jsc.emptyRDD();
    }
    HadoopSettings hadoop = HadoopSettings.forFiles(spark, files(plans));
    return jsc.parallelize(bins, bins.size())
        .mapPartitions(new ComputeDeltaMetrics(tensorsDone, bytesDone, hadoop, spectra));
  }

  /** Runs one plan with every spectrum. */
  public static WeightDiffResult run(
      SparkSession spark, WeightDiffPlan plan, boolean showProgress) {
    return run(spark, plan, showProgress, SpectrumSettings.DEFAULT);
  }

  /** Runs one plan; a failure on an executor is thrown as a one-line CheckpointException. */
  public static WeightDiffResult run(
      SparkSession spark, WeightDiffPlan plan, boolean showProgress, SpectrumSettings spectra) {
    Outcome outcome = runAll(spark, List.of(plan), showProgress, spectra).get(0);
    if (outcome.error() != null) {
      throw new CheckpointException(outcome.error());
    }
    return outcome.result();
  }

  /**
   * Runs every plan in one Spark job, a base tensor that several plans share read once, and
   * assembles each plan's result on the driver.
   */
  public static List<Outcome> runAll(
      SparkSession spark,
      List<WeightDiffPlan> plans,
      boolean showProgress,
      SpectrumSettings spectra) {
    return runAll(spark, plans, FanOut.of(plans), showProgress, spectra);
  }

  /**
   * Runs every plan in one Spark job, in the given units of work (each reading its tensors once for
   * all its comparisons), and assembles each plan's result on the driver.
   */
  public static List<Outcome> runAll(
      SparkSession spark,
      List<WeightDiffPlan> plans,
      List<FanOut> units,
      boolean showProgress,
      SpectrumSettings spectra) {
    LongAccumulator tensorsDone = spark.sparkContext().longAccumulator("tensors compared");
    LongAccumulator bytesDone = spark.sparkContext().longAccumulator("bytes read");
    JavaRDD<PairRow> rows = rows(spark, plans, units, tensorsDone, bytesDone, spectra);
    List<PairRow> collected;
    try (Progress progress =
        showProgress
            ? Progress.start(
                System.err,
                "weight-diff",
                tensorsDone::value,
                plans.stream().mapToLong(p -> p.pairs().size()).sum(),
                bytesDone::value,
                units.stream().mapToLong(FanOut::bytesToRead).sum())
            : Progress.quiet()) {
      collected = rows.collect();
    }
    return assemble(spark, plans, collected, spectra);
  }

  private static List<Outcome> assemble(
      SparkSession spark,
      List<WeightDiffPlan> plans,
      List<PairRow> collected,
      SpectrumSettings spectra) {
    List<List<TensorResult>> byPlan = new ArrayList<>();
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
      WeightDiffPlan plan = plans.get(i);
      if (errors[i] != null) {
        outcomes.add(new Outcome(plan, null, errors[i]));
        continue;
      }
      distributedSpectra(spark, plan, byPlan.get(i), spectra);
      outcomes.add(new Outcome(plan, WeightDiffResult.of(plan, byPlan.get(i)), null));
    }
    return outcomes;
  }

  /**
   * Fills in the spectra the executors left to the distributed path, one delta at a time, replacing
   * those rows in {@code rows}.
   */
  static void distributedSpectra(
      SparkSession spark, WeightDiffPlan plan, List<TensorResult> rows, SpectrumSettings spectra) {
    Map<String, TensorPair> pairs =
        plan.pairs().stream().collect(Collectors.toMap(TensorPair::name, Function.identity()));
    for (int i = 0; i < rows.size(); i++) {
      TensorResult row = rows.get(i);
      TensorPair pair = pairs.get(row.name());
      if (pair == null
          || row.spectrumStatus() != null
          || spectra.pathFor(pair) != SpectrumSettings.Path.DISTRIBUTED) {
        continue;
      }
      DeltaMetrics metrics = WeightDiffResult.metricsOf(row);
      if (!DistributedSpectrum.fits(pair)) {
        rows.set(i, row.withSpectrum(Spectrum.none(SpectrumStatus.TOO_LARGE), null));
        continue;
      }
      double[] s =
          DistributedSpectrum.singularValues(
              spark, pair, HadoopSettings.forFiles(spark, files(List.of(plan))));
      rows.set(
          i,
          row.withSpectrum(DeltaSpectra.of(pair, metrics, s, spectra), DistributedSpectrum.METHOD));
    }
  }

  static List<String> files(List<WeightDiffPlan> plans) {
    List<String> files = new ArrayList<>();
    for (WeightDiffPlan plan : plans) {
      files.addAll(plan.base().files());
      files.addAll(plan.finetuned().files());
    }
    return files;
  }
}
