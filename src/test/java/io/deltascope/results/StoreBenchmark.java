package io.deltascope.results;

import io.deltascope.job.SparkSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * submit/bench-store's program: fills a store with N synthetic runs through the real writer, then
 * times two queries as {@code deltascope sql} runs them (the store's views), before and after
 * {@code store optimize}. Prints its figures.
 *
 * <p>Runs are written {@value #PER_COMMIT} to a write ({@link ResultsStore#writeRuns}: one commit
 * per table, a file or two each), so that 10,000 runs take minutes on a loaded 2-core machine;
 * before {@code optimize} such a store has far fewer files than one that took its runs one at a
 * time, so the figures after {@code optimize} are the ones to compare.
 *
 * <p>Arguments: {@code STORE RUNS TENSORS_PER_RUN}. A store that already has runs is topped up.
 */
public final class StoreBenchmark {
  private static final int REPEATS = 3;
  private static final int PER_COMMIT = 2_500;

  private StoreBenchmark() {}

  public static void main(String[] args) {
    String store = args[0];
    int runs = Integer.parseInt(args[1]);
    int tensors = Integer.parseInt(args[2]);
    SparkSession spark = SparkSessions.start("local[2]", "deltascope bench-store");
    spark.sparkContext().setLogLevel("ERROR");
    ResultsStore results = new ResultsStore(spark, store);
    long have = existing(results);
    long start = System.nanoTime();
    for (long i = have; i < runs; i += PER_COMMIT) {
      List<String> ids = new ArrayList<>();
      for (long r = i; r < Math.min(runs, i + PER_COMMIT); r++) {
        ids.add(String.format(Locale.ROOT, "run-%06d", r));
      }
      SyntheticRuns.writeMany(spark, store, ids, 1, tensors);
    }
    System.out.printf(
        Locale.ROOT,
        "store of %d runs x %d tensors: wrote %d runs in %.1f s%n",
        runs,
        tensors,
        runs - have,
        (System.nanoTime() - start) / 1e9);
    time(spark, results, store, "before optimize");
    long t0 = System.nanoTime();
    new StoreMaintenance(spark, store).optimize().collectAsList();
    System.out.printf(Locale.ROOT, "  optimize: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    time(spark, results, store, "after optimize");
    spark.stop();
  }

  private static long existing(ResultsStore results) {
    try {
      return results.table(Tables.RUNS).count();
    } catch (StoreException e) {
      return 0;
    }
  }

  private static void time(SparkSession spark, ResultsStore results, String store, String when) {
    String last =
        results
            .table(Tables.RUNS)
            .agg(org.apache.spark.sql.functions.max("run_id"))
            .first()
            .getString(0);
    long files =
        io.delta.tables.DeltaTable.forPath(spark, store + "/" + Tables.TENSOR_METRICS)
            .detail()
            .first()
            .<Long>getAs("numFiles");
    System.out.printf(Locale.ROOT, "  %-16s tensor_metrics files: %d%n", when, files);
    String[][] queries = {
      {"count", "SELECT count(*) FROM tensor_metrics"},
      {"per-run", "SELECT tensor, relative_delta FROM tensor_metrics WHERE run_id = '" + last + "'"}
    };
    for (String[] query : queries) {
      double best = Double.MAX_VALUE;
      for (int i = 0; i < REPEATS; i++) {
        long t0 = System.nanoTime();
        results.registerViews();
        spark.sql(query[1]).collectAsList();
        best = Math.min(best, (System.nanoTime() - t0) / 1e6);
      }
      System.out.printf(
          Locale.ROOT, "  %-16s %-8s best of %d: %8.0f ms%n", when, query[0], REPEATS, best);
    }
  }
}
