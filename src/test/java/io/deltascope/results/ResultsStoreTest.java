package io.deltascope.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsStoreTest {
  @TempDir Path dir;

  private final SparkSession spark = TestSpark.session();

  @Test
  void aRunThatFailsWhileWritingLeavesNothingVisibleAndEarlierRunsIntact() throws Exception {
    ResultsStore store = new ResultsStore(spark, dir.toString());
    store.writeRun(run("first"), Map.of("tensor_metrics", rows(3)));

    Dataset<Row> failing =
        rows(3)
            .withColumn(
                "id",
                functions
                    .udf((Long id) -> 10 / (id - 2), DataTypes.LongType)
                    .apply(functions.col("id")));
    assertThatThrownBy(() -> store.writeRun(run("second"), Map.of("tensor_metrics", failing)))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith(dir + ": table tensor_metrics: cannot write run second: ");

    assertThat(store.table("tensor_metrics").count()).isEqualTo(3);
    assertThat(store.table("tensor_metrics").columns()).containsExactly("run_id", "id");
    assertThat(
            store
                .table("runs")
                .select("run_id")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactly("first");
  }

  @Test
  void aTableOfAnotherSchemaIsRefusedInOneLineNamingTheStoreAndTable() {
    ResultsStore store = new ResultsStore(spark, dir.toString());
    store.writeRun(run("first"), Map.of("tensor_metrics", rows(3)));
    Dataset<Row> other = rows(2).withColumn("extra", functions.lit(1));
    assertThatThrownBy(() -> store.writeRun(run("second"), Map.of("tensor_metrics", other)))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith(dir + ": table tensor_metrics: cannot write run second: ")
        .hasMessageContaining("mismatch");
    assertThat(store.table("runs").count()).isEqualTo(1);
  }

  @Test
  void aStoreNamedByARelativePathIsWrittenAndRead() throws Exception {
    Path relative = Path.of("target", "relative-store-" + java.util.UUID.randomUUID());
    try {
      SyntheticRuns.write(spark, relative.toString(), "a", 1, 2);
      assertThat(new ResultsStore(spark, relative.toString()).table("tensor_metrics").count())
          .isEqualTo(2);
    } finally {
      try (var paths = Files.walk(relative)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Another writer on the same new store has made the tables' log folders but not yet committed
   * their first version (StoreConcurrencyTest's race, frozen): this writer creates or joins them,
   * and readers meanwhile see no table half-made.
   */
  @Test
  void tablesAnotherWriterIsStillCreatingAreJoinedByWritersAndUnseenByReaders() throws Exception {
    Path store = dir.resolve("store");
    SyntheticRuns.write(spark, store.toString(), "first", 1, 2);
    Files.createDirectories(store.resolve("activation_metrics/_delta_log"));
    assertThat(new ResultsStore(spark, store.toString()).registerViews())
        .doesNotContain("activation_metrics");

    Path fresh = dir.resolve("fresh");
    for (String table : List.of(Tables.RUNS, Tables.TENSOR_METRICS, Tables.SPECTRA)) {
      // as Delta leaves it between making the log folder and committing version 0
      Files.createDirectories(fresh.resolve(table).resolve("_delta_log/_staged_commits"));
    }
    Files.copy(store.resolve(StoreFolder.MARKER), fresh.resolve(StoreFolder.MARKER));
    SyntheticRuns.write(spark, fresh.toString(), "a", 1, 2);
    ResultsStore results = new ResultsStore(spark, fresh.toString());
    assertThat(results.table(Tables.RUNS).count()).isEqualTo(1);
    assertThat(results.table(Tables.TENSOR_METRICS).count()).isEqualTo(2);
    assertThat(
            io.delta.tables.DeltaTable.forPath(spark, fresh.resolve(Tables.SPECTRA).toString())
                .detail()
                .select("clusteringColumns")
                .first()
                .getList(0))
        .containsExactly(Tables.RUN_ID);

    // the other writer is still writing the new store's marker (a temporary file, then renamed)
    Path marking = dir.resolve("marking");
    Files.createDirectories(marking);
    Files.writeString(marking.resolve(StoreFolder.MARKER + ".0.tmp"), "{\"schema_version\": ");
    Files.writeString(marking.resolve("." + StoreFolder.MARKER + ".0.tmp.crc"), "");
    SyntheticRuns.write(spark, marking.toString(), "b", 1, 2);
    assertThat(new ResultsStore(spark, marking.toString()).table(Tables.RUNS).count()).isEqualTo(1);
  }

  @Test
  void writesTheSchemaVersionMarker() throws Exception {
    new ResultsStore(spark, dir.toString()).writeRun(run("a"), Map.of("tensor_metrics", rows(1)));
    assertThat(Files.readString(dir.resolve("_deltascope.json")))
        .contains("\"schema_version\": " + Tables.SCHEMA_VERSION);
  }

  @Test
  void refusesRunIdsThatAreNotPlainNames() {
    for (String bad : List.of("", "a/b", "../x", "x=y", " a")) {
      assertThatThrownBy(() -> ResultsStore.checkRunId(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("run id '" + bad + "'");
    }
  }

  @Test
  void snakeCasesBeanPropertiesIntoTheDocumentedColumns() {
    TensorMetricsRow row = new TensorMetricsRow();
    row.setName("x");
    row.setNParams(4L);
    row.setRelativeDelta(0.5);
    Dataset<Row> table =
        Tables.asTable(
            spark.createDataset(List.of(row), TensorMetricsRow.ENCODER),
            Tables.TENSOR_METRICS,
            "r1",
            Tables.TENSOR_METRICS_COLUMNS);
    assertThat(table.columns()).containsExactlyElementsOf(Tables.TENSOR_METRICS_COLUMNS);
    Row first = table.first();
    assertThat(first.getString(0)).isEqualTo("r1");
    assertThat(first.<Long>getAs("n_params")).isEqualTo(4L);
    assertThat(first.<Double>getAs("relative_delta")).isEqualTo(0.5);
  }

  private Dataset<Row> rows(int n) {
    return spark.range(n).toDF("id").withColumn("run_id", functions.lit("ignored"));
  }

  private static RunRow run(String id) {
    RunRow run = new RunRow();
    run.setRunId(id);
    run.setCommand("test");
    run.setStartedAt(new Timestamp(0));
    run.setFinishedAt(new Timestamp(1));
    run.setStatus("succeeded");
    return run;
  }
}
