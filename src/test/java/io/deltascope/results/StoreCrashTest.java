package io.deltascope.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue "Trust under faults": a writer killed after any step of a write leaves every run either its
 * old version or its new one, whole, and no reader sees a part of one; the next write of the run id
 * makes it whole again. Each writer is its own JVM ({@link SyntheticRuns}), halted by the store's
 * hook right after step k (its k-th Delta commit), for every k of the write: the replacement of a
 * run (its tables, the switch, the deletes of the replaced rows) and the publication of a new one.
 */
class StoreCrashTest {
  private static final int TENSORS = 3;
  private static final int OLD = 1;
  private static final int NEW = 2;
  private static final int REWRITTEN = 3;
  private static final Pattern COMMIT = Pattern.compile("\\d{20}\\.json");

  /**
   * A killed writer's JVM needs none of a long-lived one's: compiled only by C1, no code generated
   * for its few rows, one shuffle partition. What it commits is the same.
   */
  private static final List<String> LEAN_JVM =
      List.of(
          "-XX:+UseSerialGC",
          "-Xshare:auto",
          "-Dspark.sql.shuffle.partitions=1",
          "-Dspark.sql.codegen.wholeStage=false",
          "-Dspark.sql.codegen.factoryMode=NO_CODEGEN");

  @TempDir Path dir;

  private final SparkSession spark = TestSpark.session();

  /** A write the killed writers make on a copy of the base store: run {@code runId} at NEW. */
  private record Scenario(String name, String runId, Map<String, Integer> before) {}

  @Test
  void aWriterKilledAfterAnyStepLeavesEveryRunOldOrNewAndWhole() throws Exception {
    Path base = dir.resolve("base");
    SyntheticRuns.write(spark, base.toString(), "keep", OLD, TENSORS);
    SyntheticRuns.write(spark, base.toString(), "r", OLD, TENSORS);
    Map<String, Integer> before = Map.of("keep", OLD, "r", OLD);
    List<Scenario> scenarios =
        List.of(new Scenario("replace", "r", before), new Scenario("publish", "n", before));
    // the steps of each write, counted on an uninterrupted one: each is a point to be killed at
    Map<Scenario, Integer> steps = new LinkedHashMap<>();
    for (Scenario scenario : scenarios) {
      Path whole = dir.resolve(scenario.name() + "-whole");
      SyntheticRuns.copyStore(base, whole);
      SyntheticRuns.write(spark, whole.toString(), scenario.runId(), NEW, TENSORS);
      assertThat(wholeRuns(whole)).isEqualTo(with(before, scenario.runId(), NEW));
      steps.put(scenario, commitsSince(base, whole));
    }
    // no fewer than a commit per table and the switch; a replacement also deletes the rows it
    // replaced
    assertThat(steps.get(scenarios.get(1))).as("steps of a publication").isGreaterThanOrEqualTo(3);
    assertThat(steps.get(scenarios.get(0)))
        .as("steps of a replacement")
        .isGreaterThan(steps.get(scenarios.get(1)));

    // two killed writers at a time, each on its own copy, while this JVM checks the ones done
    ExecutorService writers = Executors.newFixedThreadPool(2);
    try {
      Map<Path, Future<Integer>> exits = new LinkedHashMap<>();
      steps.forEach(
          (scenario, count) -> {
            for (int k = 1; k <= count; k++) {
              Path store = dir.resolve(scenario.name() + "-k" + k);
              int step = k;
              exits.put(
                  store,
                  writers.submit(
                      () -> {
                        SyntheticRuns.copyStore(base, store);
                        return writer(store, step, scenario.runId());
                      }));
            }
          });
      for (Scenario scenario : scenarios) {
        for (int k = 1; k <= steps.get(scenario); k++) {
          Path store = dir.resolve(scenario.name() + "-k" + k);
          String at = scenario.name() + " killed after step " + k;
          assertThat(exits.get(store).get()).as(at).isEqualTo(ResultsStore.HALTED);
          assertThat(commitsSince(base, store)).as("commits, " + at).isEqualTo(k);
          checkKilled(scenario, store, k == steps.get(scenario), at);
        }
      }
    } finally {
      writers.shutdownNow();
    }
  }

  /**
   * The runs of a store whose writer was killed: each old or new and whole, the write's run new
   * once its last step is done; then the next write of the run id makes it whole again.
   */
  private void checkKilled(Scenario scenario, Path store, boolean lastStep, String at) {
    Map<String, Integer> visible = wholeRuns(store);
    Map<String, Integer> others = new HashMap<>(visible);
    Integer written = others.remove(scenario.runId());
    Map<String, Integer> untouched = new HashMap<>(scenario.before());
    Integer old = untouched.remove(scenario.runId());
    assertThat(others).as("the other runs, " + at).isEqualTo(untouched);
    assertThat(written).as("run %s, %s", scenario.runId(), at).isIn(old, NEW);
    if (lastStep) {
      assertThat(written).as("run %s, %s", scenario.runId(), at).isEqualTo(NEW);
    }
    // the next write of the same run id repairs whatever the killed one left
    SyntheticRuns.write(spark, store.toString(), scenario.runId(), REWRITTEN, TENSORS);
    assertThat(wholeRuns(store))
        .as("rewritten, " + at)
        .isEqualTo(with(scenario.before(), scenario.runId(), REWRITTEN));
  }

  private static Map<String, Integer> with(Map<String, Integer> runs, String runId, int version) {
    Map<String, Integer> out = new HashMap<>(runs);
    out.put(runId, version);
    return out;
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
    int withMetrics = checkRows(results, Tables.TENSOR_METRICS, "relative_delta", TENSORS, runs);
    assertThat(withMetrics).as("every visible run has its tensor_metrics").isEqualTo(runs.size());
    checkRows(results, Tables.SPECTRA, "value", 2L * TENSORS, runs);
    return runs;
  }

  /**
   * Every run's rows in {@code table}: of a visible run, as many as expected, of its version;
   * returns how many runs have rows.
   */
  private static int checkRows(
      ResultsStore results,
      String table,
      String version,
      long expected,
      Map<String, Integer> runs) {
    List<Row> perRun =
        results
            .table(table)
            .groupBy("run_id")
            .agg(
                org.apache.spark.sql.functions.count("*"),
                org.apache.spark.sql.functions.min(version),
                org.apache.spark.sql.functions.max(version))
            .collectAsList();
    for (Row row : perRun) {
      String run = row.getString(0);
      assertThat(runs).as("%s rows of %s have a runs row", table, run).containsKey(run);
      assertThat(row.getLong(1)).as("%s rows of %s", table, run).isEqualTo(expected);
      assertThat(List.of(row.getDouble(2), row.getDouble(3)))
          .as("%s versions of %s", table, run)
          .containsOnly((double) runs.get(run));
    }
    return perRun.size();
  }

  /** The Delta commits made in {@code store} since it was copied from {@code base}, all tables. */
  private static int commitsSince(Path base, Path store) throws IOException {
    return commits(store) - commits(base);
  }

  private static int commits(Path store) throws IOException {
    try (Stream<Path> files = Files.walk(store)) {
      return (int)
          files
              .filter(p -> p.getParent().getFileName().toString().equals(StoreFolder.DELTA_LOG))
              .filter(p -> COMMIT.matcher(p.getFileName().toString()).matches())
              .count();
    }
  }

  /** Runs the writer in its own JVM, halted after step {@code k}; returns its exit code. */
  static int writer(Path store, int k, String... runIds) throws IOException, InterruptedException {
    Path log = store.resolveSibling(store.getFileName() + ".log");
    List<String> options = new ArrayList<>(LEAN_JVM);
    options.add("-Ddeltascope.test.halt-after-step=" + k);
    Process process = SyntheticRuns.start(log, store.toString(), NEW, TENSORS, options, runIds);
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
}
