package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.FewShufflePartitions;
import io.deltascope.TestSpark;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.SyntheticRuns;
import io.deltascope.results.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code deltascope store ...} and the store's time travel in {@code sql}. */
@ExtendWith(FewShufflePartitions.class)
class StoreCommandTest {
  @TempDir Path dir;

  private final SparkSession spark = TestSpark.session();

  @Test
  void sqlReadsTheStoresTablesAsTheyWereAtAVersionOrATime() throws Exception {
    String store = dir.resolve("store").toString();
    SyntheticRuns.write(spark, store, "first", 1, 2);
    String between = java.time.LocalDateTime.now().toString().replace('T', ' ');
    Thread.sleep(1500);
    SyntheticRuns.write(spark, store, "second", 1, 2);

    CliRun now = CliRun.of("sql", "--results", store, "SELECT run_id FROM runs ORDER BY run_id");
    assertThat(now.out()).contains("first").contains("second").contains("(2 rows)");
    CliRun version =
        CliRun.of(
            "sql",
            "--results",
            store,
            // version 0 created the table, version 1 is the first run's commit
            "SELECT run_id FROM runs VERSION AS OF 1 ORDER BY run_id",
            "--format",
            "csv");
    assertThat(version.exitCode()).as(version.err()).isZero();
    assertThat(version.out()).isEqualTo("run_id\nfirst\n");
    CliRun time =
        CliRun.of(
            "sql",
            "--results",
            store,
            "--format",
            "csv",
            "SELECT count(*) AS n FROM tensor_metrics TIMESTAMP AS OF '" + between + "'");
    assertThat(time.exitCode()).as(time.err()).isZero();
    assertThat(time.out()).isEqualTo("n\n2\n");
  }

  @Test
  void historyListsEveryCommitWithItsRunOptimizeCompactsAndVacuumKeepsTheLatest() {
    String store = dir.resolve("store").toString();
    SyntheticRuns.write(spark, store, "a", 1, 2);
    SyntheticRuns.write(spark, store, "a", 2, 2); // replaces run a
    SyntheticRuns.write(spark, store, "b", 1, 2);

    CliRun history = CliRun.of("store", "history", "--results", store);
    assertThat(history.exitCode()).as(history.err()).isZero();
    assertThat(history.out())
        .contains("table", "version", "operation", "run_id", "user")
        .contains("MERGE", "WRITE", "DELETE")
        .containsPattern("runs +3 .* MERGE +b ")
        .containsPattern("tensor_metrics +0 .* CREATE TABLE +a ")
        .containsPattern("tensor_metrics +1 .* WRITE +a ");

    CliRun optimize = CliRun.of("store", "optimize", "--results", store);
    assertThat(optimize.exitCode()).as(optimize.err()).isZero();
    assertThat(optimize.out()).contains("files_removed", "tensor_metrics", "spectra", "runs");
    CliRun vacuum = CliRun.of("store", "vacuum", "--results", store, "--retain", "0");
    assertThat(vacuum.exitCode()).as(vacuum.err()).isZero();

    CliRun after =
        CliRun.of(
            "sql",
            "--results",
            store,
            "--format",
            "csv",
            "SELECT run_id, count(*) AS n, max(relative_delta) AS v FROM tensor_metrics"
                + " GROUP BY run_id ORDER BY run_id");
    assertThat(after.out()).isEqualTo("run_id,n,v\na,2,2.0\nb,2,1.0\n");
  }

  @Test
  void anOldParquetStoreIsRefusedUntilUpgradedThenReadsInTheCurrentSchema() throws Exception {
    Path store = dir.resolve("old");
    // a schema version 2 store as deltascope 0.1 wrote it: Parquet partitions, no Delta log;
    // its runs table lacks the diagnosis column the current schema has, and both tables call
    // the pair and the tensor "name"
    var runs =
        Tables.asTable(
                spark.createDataset(
                    List.of(SyntheticRuns.run("old-run", 1)), io.deltascope.results.RunRow.ENCODER),
                Tables.RUNS,
                "old-run",
                Tables.RUNS_COLUMNS)
            .drop("diagnosis")
            .withColumnRenamed("pair", "name");
    runs.write().partitionBy("run_id").parquet(store.resolve("runs").toString());
    SyntheticRuns.tables(spark, "old-run", 1, 3)
        .get(Tables.TENSOR_METRICS)
        .withColumnRenamed(Tables.TENSOR, "name")
        .write()
        .partitionBy("run_id")
        .parquet(store.resolve("tensor_metrics").toString());
    Files.writeString(
        store.resolve("_deltascope.json"),
        "{\"format\": \"deltascope results\", \"schema_version\": 2}\n");

    for (String[] command :
        new String[][] {
          {"sql", "--results", store.toString(), "SELECT 1"},
          {"store", "history", "--results", store.toString()},
        }) {
      CliRun refused = CliRun.of(command);
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.errorLine())
          .isEqualTo(
              "deltascope: error: "
                  + store
                  + ": a results store of schema version 2 (plain Parquet); run `deltascope store"
                  + " upgrade --results "
                  + store
                  + "` to convert it to version "
                  + Tables.SCHEMA_VERSION);
    }
    SyntheticRuns.write(spark, dir.resolve("unused").toString(), "x", 1, 1); // a fresh store
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> SyntheticRuns.write(spark, store.toString(), "new-run", 2, 3))
        .hasMessageContaining("deltascope store upgrade");

    CliRun upgrade = CliRun.of("store", "upgrade", "--results", store.toString());
    assertThat(upgrade.exitCode()).as(upgrade.err()).isZero();
    assertThat(upgrade.out()).contains("runs, tensor_metrics");
    assertThat(store.resolve("runs/_delta_log")).isDirectory();
    assertThat(Files.readString(store.resolve("_deltascope.json")))
        .contains("\"schema_version\": " + Tables.SCHEMA_VERSION);

    ResultsStore results = new ResultsStore(spark, store.toString());
    assertThat(results.table(Tables.RUNS).columns()).containsExactlyElementsOf(Tables.RUNS_COLUMNS);
    assertThat(results.table(Tables.RUNS).where("diagnosis IS NULL").count()).isEqualTo(1);
    assertThat(results.table(Tables.TENSOR_METRICS).count()).isEqualTo(3);
    // the old names live on under the current ones
    assertThat(results.table(Tables.RUNS).first().<String>getAs("pair")).isEqualTo("pair-old-run");
    assertThat(results.table(Tables.TENSOR_METRICS).where("tensor IS NULL").count()).isZero();
    // the upgraded store takes new runs and replaces old ones, whole
    SyntheticRuns.write(spark, store.toString(), "new-run", 2, 3);
    SyntheticRuns.write(spark, store.toString(), "old-run", 3, 4);
    assertThat(
            results
                .table(Tables.TENSOR_METRICS)
                .groupBy("run_id")
                .agg(functions.max("relative_delta"), functions.count("*"))
                .orderBy("run_id")
                .collectAsList()
                .toString())
        .isEqualTo("[[new-run,2.0,3], [old-run,3.0,4]]");
    CliRun again = CliRun.of("store", "upgrade", "--results", store.toString());
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.errorLine()).contains("already at schema version");
  }

  @Test
  void aFolderThatIsNotAStoreAndADamagedLogAreOneLineNamingTheStore() throws Exception {
    Path notStore = Files.createDirectories(dir.resolve("photos"));
    Files.writeString(notStore.resolve("cat.jpg"), "meow");
    CliRun sql = CliRun.of("sql", "--results", notStore.toString(), "SELECT 1");
    assertThat(sql.exitCode()).isEqualTo(1);
    assertThat(sql.errorLine())
        .isEqualTo(
            "deltascope: error: "
                + notStore
                + ": not a deltascope results store (no _deltascope.json)");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> SyntheticRuns.write(spark, notStore.toString(), "r", 1, 1))
        .hasMessage(
            notStore + ": not a deltascope results store (no _deltascope.json) and not empty");
    assertThat(notStore.resolve("cat.jpg")).hasContent("meow");

    String store = dir.resolve("store").toString();
    SyntheticRuns.write(spark, store, "a", 1, 2);
    SyntheticRuns.write(spark, store, "b", 1, 2);
    Path log = dir.resolve("store/tensor_metrics/_delta_log");
    Files.writeString(log.resolve("00000000000000000001.json"), "{\"add\": {broken");
    CliRun corrupt = CliRun.of("sql", "--results", store, "SELECT count(*) FROM tensor_metrics");
    assertThat(corrupt.exitCode()).isEqualTo(1);
    // the store reads the log of each table the query reads before it runs, naming the table
    assertThat(corrupt.errorLine())
        .startsWith("deltascope: error: " + store + ": table tensor_metrics: damaged _delta_log: ")
        .contains("tensor_metrics/_delta_log/00000000000000000001.json");
    assertThat(corrupt.err().lines().count()).isLessThanOrEqualTo(2);
    CliRun report =
        CliRun.of(
            "report", "--results", store, "--run", "a", "-o", dir.resolve("a.html").toString());
    assertThat(report.exitCode()).isEqualTo(1);
    assertThat(report.errorLine())
        .startsWith("deltascope: error: " + store + ": table tensor_metrics: damaged _delta_log: ");

    Files.delete(log.resolve("00000000000000000000.json"));
    CliRun missing =
        CliRun.of(
            "sql",
            "--results",
            store,
            "SELECT count(*) FROM runs JOIN tensor_metrics USING (run_id)");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.errorLine())
        .startsWith("deltascope: error: " + store + ": table tensor_metrics: damaged _delta_log: ");
    assertThat(missing.err().lines().count()).isLessThanOrEqualTo(2);
    // and only those: a query of runs alone does not read tensor_metrics' log
    CliRun runs = CliRun.of("sql", "--results", store, "SELECT count(*) AS n FROM runs");
    assertThat(runs.exitCode()).isZero();
    assertThat(runs.out()).contains("(1 rows)");
  }
}
