package io.deltascope.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue "Trust under faults": a writer killed after any step of a write leaves every run either its
 * old version or its new one, whole, and no reader sees a part of one; the next write of the run id
 * makes it whole again. Each writer is its own JVM ({@link SyntheticRuns}), halted by the store's
 * hook right after step k, for every k until a writer finishes.
 */
class StoreCrashTest {
  private static final int TENSORS = 3;

  @TempDir Path dir;

  private final SparkSession spark = TestSpark.session();

  @Test
  void aWriterKilledAfterAnyStepLeavesEveryRunOldOrNewAndWhole() throws Exception {
    Path base = dir.resolve("base");
    SyntheticRuns.write(spark, base.toString(), "keep", 1, TENSORS);
    SyntheticRuns.write(spark, base.toString(), "r", 1, TENSORS);
    List<String> seen = new ArrayList<>();
    for (int k = 1; k < 40; k++) {
      Path store = dir.resolve("k" + k);
      copyTree(base, store);
      // the writer replaces run r (version 1 -> 2), then adds run n
      int exit = writer(store, k, "r", "n");
      Map<String, Integer> visible = wholeRuns(store);
      seen.add("k=" + k + " exit=" + exit + " " + visible);
      assertThat(visible).as("after step %d", k).containsEntry("keep", 1);
      assertThat(visible.get("r")).as("run r after step %d", k).isIn(1, 2);
      assertThat(visible.get("n")).as("run n after step %d", k).isIn(null, 2);
      if (exit == 0) {
        assertThat(visible).containsEntry("r", 2).containsEntry("n", 2);
        break;
      }
      assertThat(exit).as("the writer was halted after step %d", k).isEqualTo(ResultsStore.HALTED);
      // the next write of the same run ids repairs whatever the killed one left
      SyntheticRuns.write(spark, store.toString(), "r", 3, TENSORS);
      SyntheticRuns.write(spark, store.toString(), "n", 3, TENSORS);
      assertThat(wholeRuns(store))
          .as("rewritten after step %d", k)
          .isEqualTo(Map.of("keep", 1, "r", 3, "n", 3));
    }
    assertThat(seen).as("the writer finished at some step").anyMatch(s -> s.contains("exit=0"));
  }

  /**
   * The version of every run a reader sees, checking that each is whole: its tensor_metrics and
   * spectra rows all of the runs row's version, none missing, and no rows of runs it cannot see.
   */
  private Map<String, Integer> wholeRuns(Path store) {
    ResultsStore results = new ResultsStore(spark, store.toString());
    Map<String, Integer> runs = new HashMap<>();
    for (Row row : results.table(Tables.RUNS).select("run_id", "options").collectAsList()) {
      assertThat(runs.put(row.getString(0), Integer.parseInt(row.getString(1))))
          .as("one runs row for %s", row.getString(0))
          .isNull();
    }
    checkRows(results, Tables.TENSOR_METRICS, "relative_delta", TENSORS, runs);
    checkRows(results, Tables.SPECTRA, "value", 2L * TENSORS, runs);
    long withMetrics = results.table(Tables.TENSOR_METRICS).select("run_id").distinct().count();
    assertThat(withMetrics).as("every visible run has its tensor_metrics").isEqualTo(runs.size());
    return runs;
  }

  /** Every run's rows in {@code table}: of a visible run, as many as expected, of its version. */
  private static void checkRows(
      ResultsStore results,
      String table,
      String version,
      long expected,
      Map<String, Integer> runs) {
    for (Row row :
        results
            .table(table)
            .groupBy("run_id")
            .agg(
                org.apache.spark.sql.functions.count("*"),
                org.apache.spark.sql.functions.min(version),
                org.apache.spark.sql.functions.max(version))
            .collectAsList()) {
      String run = row.getString(0);
      assertThat(runs).as("%s rows of %s have a runs row", table, run).containsKey(run);
      assertThat(row.getLong(1)).as("%s rows of %s", table, run).isEqualTo(expected);
      assertThat(List.of(row.getDouble(2), row.getDouble(3)))
          .as("%s versions of %s", table, run)
          .containsOnly((double) runs.get(run));
    }
  }

  /** Runs the writer in its own JVM, halted after step {@code k}; returns its exit code. */
  static int writer(Path store, int k, String... runIds) throws IOException, InterruptedException {
    Path log = store.resolveSibling(store.getFileName() + ".log");
    Process process =
        SyntheticRuns.start(
            log,
            store.toString(),
            2,
            TENSORS,
            List.of("-Ddeltascope.test.halt-after-step=" + k),
            runIds);
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the writer did not finish in 180 s: " + Files.readString(log));
    }
    int exit = process.exitValue();
    if (exit != 0 && exit != ResultsStore.HALTED) {
      throw new AssertionError("the writer failed (" + exit + "): " + Files.readString(log));
    }
    return exit;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
