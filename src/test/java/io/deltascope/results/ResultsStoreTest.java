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
