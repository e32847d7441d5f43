package io.deltascope.results;

import io.deltascope.job.SparkSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * submit/bench-store's program: fills a store with N synthetic runs through the real writer, then
 * times two queries as {@code deltascope sql} runs them (in this JVM), before and after {@code
 * store optimize}. Prints its figures.
 *
 * <p>Runs are written {@value #PER_COMMIT} to a write ({@link ResultsStore#writeRuns}: one commit
 * per table, a file or two each), so that 10,000 runs take minutes on a loaded 2-core machine;
 * before {@code optimize} such a store has far fewer files than one that took its runs one at a
 * time, so the figures after {@code optimize} are the ones to compare.
 *
 * <p>Arguments: {@code STORE RUNS TENSORS_PER_RUN}. A store that already has runs is topped up. Or
 * {@code compare SMALL LARGE REPEATS}: the queries on two stores, alternately (see {@link
 * #compare}).
 */
public final class StoreBenchmark {
  private static final int REPEATS = 5;
  private static final int PER_COMMIT = 2_500;

  private StoreBenchmark() {}

  public static void main(String[] args) {
    if (args[0].equals("compare")) {
      SparkSession spark = SparkSessions.start("local[2]", "deltascope bench-store");
      spark.sparkContext().setLogLevel("ERROR");
      compare(spark, args[1], args[2], Integer.parseInt(args[3]));
      spark.stop();
      return;
    }
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
    String last = lastRun(results);
    long files =
        io.delta.tables.DeltaTable.forPath(spark, store + "/" + Tables.TENSOR_METRICS)
            .detail()
            .first()
            .<Long>getAs("numFiles");
    System.out.printf(Locale.ROOT, "  %-16s tensor_metrics files: %d%n", when, files);
    for (String[] query : queries(last)) {
      double[] ms = timings(store, query[1], REPEATS);
      System.out.printf(
          Locale.ROOT,
          "  %-16s %-8s best of %d: %8.0f ms, median %8.0f ms (load %s)%n",
          when,
          query[0],
          REPEATS,
          ms[0],
          ms[REPEATS / 2],
          load());
    }
  }

  /** The two queries: count(*), and the rows of run {@code last}. */
  private static String[][] queries(String last) {
    return new String[][] {
      {"count", "SELECT count(*) FROM tensor_metrics"},
      {"per-run", "SELECT tensor, relative_delta FROM tensor_metrics WHERE run_id = '" + last + "'"}
    };
  }

  /**
   * The query's times in ms, sorted, each run as {@code deltascope sql} runs it (in this JVM and
   * Spark session: the views of the tables it reads, then the query, its rows formatted).
   */
  private static double[] timings(String store, String query, int repeats) {
    double[] ms = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      ms[i] = sql(store, query);
    }
    java.util.Arrays.sort(ms);
    return ms;
  }

  private static double sql(String store, String query) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    long t0 = System.nanoTime();
    int code =
        io.deltascope.cli.Main.execute(
            new java.io.PrintWriter(out, true),
            new java.io.PrintWriter(err, true),
            "sql",
            "--results",
            store,
            query);
    double ms = (System.nanoTime() - t0) / 1e6;
    if (code != 0) {
      throw new IllegalStateException("sql on " + store + " failed: " + err);
    }
    return ms;
  }

  /**
   * {@code compare SMALL LARGE REPEATS}: the two queries on two existing stores, alternating
   * between them query by query so that both see the same load; prints each one's median and best
   * and the ratio of the large store's to the small one's.
   */
  private static void compare(SparkSession spark, String small, String large, int repeats) {
    String lastSmall = lastRun(new ResultsStore(spark, small));
    String lastLarge = lastRun(new ResultsStore(spark, large));
    sql(small, "SELECT 1"); // warm-up: classes, the session's Delta log cache
    sql(large, "SELECT 1");
    for (int q = 0; q < 2; q++) {
      double[] a = new double[repeats];
      double[] b = new double[repeats];
      String before = load();
      for (int i = 0; i < repeats + 1; i++) {
        double ta = sql(small, queries(lastSmall)[q][1]);
        double tb = sql(large, queries(lastLarge)[q][1]);
        if (i > 0) { // the first of each is warm-up
          a[i - 1] = ta;
          b[i - 1] = tb;
        }
      }
      java.util.Arrays.sort(a);
      java.util.Arrays.sort(b);
      System.out.printf(
          Locale.ROOT,
          "%-8s %s: median %.0f ms (best %.0f); %s: median %.0f ms (best %.0f); ratio of medians"
              + " %.2fx, of bests %.2fx (load %s, then %s)%n",
          queries(lastSmall)[q][0],
          small,
          a[repeats / 2],
          a[0],
          large,
          b[repeats / 2],
          b[0],
          b[repeats / 2] / a[repeats / 2],
          b[0] / a[0],
          before,
          load());
    }
  }

  private static String lastRun(ResultsStore results) {
    return results
        .table(Tables.RUNS)
        .agg(org.apache.spark.sql.functions.max("run_id"))
        .first()
        .getString(0);
  }

  private static String load() {
    try {
      String[] avg =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return avg[0] + " " + avg[1] + " " + avg[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
