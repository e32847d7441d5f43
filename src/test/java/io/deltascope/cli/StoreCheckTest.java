package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import io.deltascope.FewShufflePartitions;
import io.deltascope.TestSpark;
import io.deltascope.report.JsonReport;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.SyntheticRuns;
import io.deltascope.results.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store damaged as an object-store copy can leave it (a commit without its files' actions, a file
 * lost or cut) is named as damaged by {@code sql}, {@code report} and {@code store check}, not
 * shown as whole; a store written before runs carried their row counts reads as it is.
 */
@ExtendWith(FewShufflePartitions.class)
class StoreCheckTest {
  @TempDir Path dir;
  private final SparkSession spark = TestSpark.session();

  @Test
  void aCommitWithoutItsAddActionsIsOneLineNamingTheRunAndTheTable() throws Exception {
    String store = dir.resolve("store").toString();
    SyntheticRuns.write(spark, store, "r1", 1, 3);
    SyntheticRuns.write(spark, store, "r2", 1, 3);
    CliRun whole = CliRun.of("store", "check", "--results", store);
    assertThat(whole.exitCode()).as(whole.err()).isZero();
    assertThat(whole.out()).contains("2 runs", "whole");
    CliRun counts =
        CliRun.of(
            "sql",
            "--results",
            store,
            "--format",
            "json",
            "SELECT row_counts FROM runs WHERE run_id = 'r1'");
    assertThat(JsonReport.MAPPER.readTree(counts.out()).at("/rows/0/row_counts").toString())
        .isEqualTo("{\"spectra\":6,\"tensor_metrics\":3}");

    // r2's tensor_metrics commit (0 made the table, 1 is r1's) without its add actions and
    // without its checksum, as a copy that lost them leaves it
    Path log = dir.resolve("store/tensor_metrics/_delta_log");
    Path commit = log.resolve("00000000000000000002.json");
    List<String> actions = Files.readAllLines(commit);
    assertThat(actions).anyMatch(a -> a.startsWith("{\"add\"") && a.contains("r2"));
    Files.write(commit, actions.stream().filter(a -> !a.startsWith("{\"add\"")).toList());
    for (String gone : List.of(".00000000000000000002.json.crc", "00000000000000000002.crc")) {
      Files.deleteIfExists(log.resolve(gone));
      Files.deleteIfExists(log.resolve("." + gone + ".crc"));
    }

    String damaged = store + ": run r2: table tensor_metrics: 0 rows, where its runs row records 3";
    CliRun sql =
        CliRun.of(
            "sql",
            "--results",
            store,
            "SELECT run_id, count(*) FROM runs JOIN tensor_metrics USING (run_id) GROUP BY 1");
    assertThat(sql.exitCode()).as(sql.out()).isEqualTo(1);
    assertThat(sql.errorLine()).startsWith("deltascope: error: " + damaged);
    assertThat(sql.err().lines().count()).isLessThanOrEqualTo(2);
    // a query of the intact tables is answered
    CliRun runs = CliRun.of("sql", "--results", store, "SELECT count(*) AS n FROM spectra");
    assertThat(runs.exitCode()).as(runs.err()).isZero();

    CliRun report =
        CliRun.of(
            "report", "--results", store, "--run", "r2", "-o", dir.resolve("r2.html").toString());
    assertThat(report.exitCode()).isEqualTo(1);
    assertThat(report.errorLine()).startsWith("deltascope: error: " + damaged);
    assertThat(dir.resolve("r2.html")).doesNotExist();

    CliRun check = CliRun.of("store", "check", "--results", store);
    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(check.err().lines()).containsExactly("deltascope: error: " + damaged);
    assertThat(check.out()).contains("2 runs", "1 faults");
  }

  @Test
  void aFileTheLogNamesThatIsMissingOrOfAnotherSizeIsNamed() throws Exception {
    String store = dir.resolve("store").toString();
    SyntheticRuns.write(spark, store, "r1", 1, 3);
    Path spectra = dir.resolve("store/spectra");
    Path tensors = dir.resolve("store/tensor_metrics");
    Path lost = parquet(spectra).get(0);
    Files.delete(lost);
    Files.deleteIfExists(lost.resolveSibling("." + lost.getFileName() + ".crc"));
    Path cut = parquet(tensors).get(0);
    byte[] bytes = Files.readAllBytes(cut);
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 10));
    Files.deleteIfExists(cut.resolveSibling("." + cut.getFileName() + ".crc"));

    CliRun check = CliRun.of("store", "check", "--results", store);
    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(check.err().lines())
        .contains(
            "deltascope: error: "
                + store
                + ": table spectra: file spectra/"
                + lost.getFileName()
                + " named by the log is missing",
            "deltascope: error: "
                + store
                + ": table tensor_metrics: file tensor_metrics/"
                + cut.getFileName()
                + " has "
                + (bytes.length - 10)
                + " bytes, where the log records "
                + bytes.length)
        .allMatch(line -> line.startsWith("deltascope: error: " + store + ": "));
  }

  @Test
  void aStoreWrittenBeforeRunsCarriedCountsReadsAsNotRecordedAndTakesNewRuns() throws Exception {
    Path folder = dir.resolve("store");
    String store = folder.toString();
    SyntheticRuns.write(spark, store, "old", 1, 3);
    // as deltascope wrote schema version 3: runs without row_counts, the embeddings' layer null
    String runs = folder.resolve(Tables.RUNS).toString();
    spark
        .read()
        .format("delta")
        .load(runs)
        .drop(Tables.ROW_COUNTS)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .save(runs);
    DeltaTable.forPath(spark, folder.resolve(Tables.TENSOR_METRICS).toString())
        .update(
            functions.col("layer").equalTo(0),
            Map.of("layer", functions.lit(null).cast("int"), "component", functions.lit("embed")));
    Files.writeString(folder.resolve("_deltascope.json"), "{\"schema_version\": 3}\n");
    Files.deleteIfExists(folder.resolve("._deltascope.json.crc"));

    CliRun sql =
        CliRun.of(
            "sql",
            "--results",
            store,
            "--format",
            "csv",
            "SELECT count(*) AS n FROM tensor_metrics");
    assertThat(sql.exitCode()).as(sql.err()).isZero();
    assertThat(sql.out()).isEqualTo("n\n3\n");
    CliRun check = CliRun.of("store", "check", "--results", store);
    assertThat(check.exitCode()).as(check.err()).isZero();

    // the next write adds the column and marks the store version 4; the old run stays unrecorded
    SyntheticRuns.write(spark, store, "new", 1, 2);
    assertThat(folder.resolve("_deltascope.json")).content().contains("\"schema_version\": 4");
    ResultsStore results = new ResultsStore(spark, store);
    assertThat(
            results
                .table(Tables.RUNS)
                .selectExpr(Tables.RUN_ID, Tables.ROW_COUNTS + "['tensor_metrics']")
                .orderBy(Tables.RUN_ID)
                .collectAsList()
                .toString())
        .isEqualTo("[[new,2], [old,null]]");
    assertThat(CliRun.of("store", "check", "--results", store).exitCode()).isZero();

    // the upgrade moves the old embeddings to layer -1, once
    CliRun upgrade = CliRun.of("store", "upgrade", "--results", store);
    assertThat(upgrade.exitCode()).as(upgrade.err()).isZero();
    assertThat(
            results
                .table(Tables.TENSOR_METRICS)
                .where("component = 'embed'")
                .select("layer")
                .collectAsList()
                .toString())
        .isEqualTo("[[-1]]");
    CliRun again = CliRun.of("store", "upgrade", "--results", store);
    assertThat(again.errorLine()).contains("already at schema version 4");
  }

  private static List<Path> parquet(Path table) throws java.io.IOException {
    try (Stream<Path> files = Files.list(table)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }
}
