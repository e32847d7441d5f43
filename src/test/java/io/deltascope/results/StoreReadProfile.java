package io.deltascope.results;

import io.deltascope.job.SparkSessions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * Where a {@code sql} query on a store spends its time, as {@code sql} runs it: the store's views,
 * then the query's analysis, then its job. Prints each phase's median over the repeats and the load
 * average, for comparing stores of different sizes. Arguments: {@code STORE REPEATS QUERY
 * [TABLES]}: the views of the tables named (comma-separated, as {@code sql} registers those its
 * query reads), or of every table.
 */
public final class StoreReadProfile {
  private StoreReadProfile() {}

  public static void main(String[] args) {
    String store = args[0];
    int repeats = Integer.parseInt(args[1]);
    String query = args[2];
    SparkSession spark = SparkSessions.start("local[2]", "deltascope store profile");
    spark.sparkContext().setLogLevel("ERROR");
    List<double[]> samples = new ArrayList<>();
    for (int i = 0; i <= repeats; i++) {
      ResultsStore results = new ResultsStore(spark, store);
      long t0 = System.nanoTime();
      if (args.length > 3) {
        results.registerViews(List.of(args[3].split(",")));
      } else {
        results.registerViews();
      }
      long t1 = System.nanoTime();
      var rows = spark.sql(query);
      long t2 = System.nanoTime();
      rows.collectAsList();
      long t3 = System.nanoTime();
      if (i == 0) {
        System.out.println(rows.queryExecution().executedPlan().treeString());
        continue; // the first is warm-up: classes and the Delta log cache
      }
      samples.add(new double[] {ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t0, t3)});
    }
    String[] phases = {"views", "analyse", "run", "total"};
    StringBuilder line = new StringBuilder(store + ": ");
    for (int p = 0; p < phases.length; p++) {
      List<Double> each = new ArrayList<>();
      for (double[] s : samples) {
        each.add(s[p]);
      }
      Collections.sort(each);
      line.append(
          String.format(
              Locale.ROOT,
              "%s %.0f ms (min %.0f)  ",
              phases[p],
              each.get(each.size() / 2),
              each.get(0)));
    }
    System.out.println(line);
    breakdown(spark, new ResultsStore(spark, store), repeats);
    spark.stop();
  }

  /** Per table, the median of reading its state (DESCRIBE DETAIL) and of loading it. */
  private static void breakdown(SparkSession spark, ResultsStore results, int repeats) {
    for (String table : results.folder().tables()) {
      String path = results.folder().table(table).toString();
      List<Double> detail = new ArrayList<>();
      List<Double> load = new ArrayList<>();
      List<Double> files = new ArrayList<>();
      for (int i = 0; i < repeats; i++) {
        long t0 = System.nanoTime();
        io.delta.tables.DeltaTable.forPath(spark, path).detail().collectAsList();
        long t1 = System.nanoTime();
        var rows = spark.read().format("delta").load(path);
        long t2 = System.nanoTime();
        rows.inputFiles();
        long t3 = System.nanoTime();
        detail.add(ms(t0, t1));
        load.add(ms(t1, t2));
        files.add(ms(t2, t3));
      }
      Collections.sort(detail);
      Collections.sort(load);
      Collections.sort(files);
      System.out.printf(
          Locale.ROOT,
          "  %-20s detail %.0f ms, load %.0f ms, its files %.0f ms%n",
          table,
          detail.get(repeats / 2),
          load.get(repeats / 2),
          files.get(repeats / 2));
    }
  }

  private static double ms(long from, long to) {
    return (to - from) / 1e6;
  }
}
