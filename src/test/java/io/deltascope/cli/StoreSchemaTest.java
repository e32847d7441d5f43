package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.report.JsonReport;
import io.deltascope.results.Metric;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's columns as people query them: one name per meaning, run_id first, comments. */
class StoreSchemaTest {
  @TempDir static Path dir;
  private static String store;
  private static final SparkSession spark = TestSpark.session();

  @BeforeAll
  static void writeARun() {
    store = dir.resolve("store").toString();
    CliRun run =
        CliRun.of(
            "weight-diff",
            "-b",
            Fixtures.model("llama-base").toString(),
            "-f",
            Fixtures.model("llama-sft").toString(),
            "--results",
            store,
            "--run-id",
            "sft",
            "--no-tensors",
            "-o",
            dir.resolve("sft.json").toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    new ResultsStore(spark, store).registerViews();
  }

  @Test
  void runsJoinTheOtherTablesWithTheirNamesSelected() {
    List<Row> rows =
        spark
            .sql(
                "SELECT r.pair, t.tensor, r.profile, r.mean_relative_delta FROM runs r"
                    + " JOIN tensor_metrics t USING (run_id) WHERE t.tensor = 'lm_head.weight'")
            .collectAsList();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).isNullAt(0)).isTrue(); // a single run belongs to no batch pair
    assertThat(rows.get(0).getString(1)).isEqualTo("lm_head.weight");
    assertThat(rows.get(0).getString(2)).isEqualTo("heavy");
    // the headline mean: over the oracle's 30 2-D weight matrices
    double mean = 0;
    int n = 0;
    for (var t : Fixtures.pairOracle("llama-base", "llama-sft").get("tensors")) {
      if (t.get("shape").size() == 2) {
        mean += t.get("relative_delta").asDouble();
        n++;
      }
    }
    assertThat(rows.get(0).getDouble(3)).isCloseTo(mean / n, within(1e-12));
    assertThat(spark.sql("SELECT s.tensor FROM spectra s JOIN runs USING (run_id) LIMIT 1").count())
        .isEqualTo(1);
  }

  @Test
  void theEmbeddingsAreLayerMinusOneInTheStoreAndTheJsonAsInActivationMetrics() throws Exception {
    assertThat(
            spark
                .sql("SELECT tensor, layer FROM tensor_metrics WHERE layer IS NULL OR layer < 0")
                .orderBy("tensor")
                .collectAsList()
                .toString())
        .isEqualTo(
            "[[lm_head.weight,null], [model.embed_tokens.weight,-1], [model.norm.weight,null]]");
    var json = JsonReport.MAPPER.readTree(dir.resolve("sft.json").toFile());
    for (var t : json.get("tensors")) {
      if (t.get("component").asText().equals("embed")) {
        assertThat(t.get("layer").asInt()).isEqualTo(-1);
      }
    }
    assertThat(json.get("layers").toString())
        .contains("{\"layer\":-1,\"component\":\"embed\"")
        .contains("{\"layer\":null,\"component\":\"lm_head\"");
  }

  @Test
  void aRunsRowRecordsItsRowsPerTable() {
    Row counts =
        spark
            .sql(
                "SELECT row_counts['tensor_metrics'], row_counts['spectra'],"
                    + " (SELECT count(*) FROM tensor_metrics), (SELECT count(*) FROM spectra)"
                    + " FROM runs")
            .first();
    assertThat(counts.getLong(0)).isEqualTo(counts.getLong(2)).isPositive();
    assertThat(counts.getLong(1)).isEqualTo(counts.getLong(3)).isPositive();
  }

  @Test
  void timestampsAreParquetTimestampsInUtcMicrosecondsNotInt96() throws Exception {
    Path runs = dir.resolve("store").resolve(Tables.RUNS);
    Path file;
    try (var files = Files.list(runs)) {
      file = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().get();
    }
    var conf = new Configuration();
    try (var reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf))) {
      var started =
          reader.getFooter().getFileMetaData().getSchema().getType("started_at").asPrimitiveType();
      assertThat(started.getPrimitiveTypeName()).isEqualTo(PrimitiveTypeName.INT64);
      assertThat(started.getLogicalTypeAnnotation())
          .isEqualTo(
              LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS));
    }
  }

  @Test
  void everyTableHasRunIdFirstAndItsDocumentedColumns() {
    assertThat(spark.table(Tables.RUNS).columns()).containsExactlyElementsOf(Tables.RUNS_COLUMNS);
    assertThat(spark.table(Tables.TENSOR_METRICS).columns())
        .containsExactlyElementsOf(Tables.TENSOR_METRICS_COLUMNS);
    assertThat(spark.table(Tables.SPECTRA).columns())
        .containsExactlyElementsOf(Tables.SPECTRA_COLUMNS);
    assertThat(Tables.ACTIVATION_METRICS_COLUMNS.get(0)).isEqualTo(Tables.RUN_ID);
    assertThat(Tables.LOGIT_LENS_COLUMNS.get(0)).isEqualTo(Tables.RUN_ID);
  }

  @Test
  void describeShowsAMeaningForEveryColumnAndTheRegistrysForMetrics() {
    for (String table : List.of(Tables.RUNS, Tables.TENSOR_METRICS, Tables.SPECTRA)) {
      for (Row r : spark.sql("DESCRIBE " + table).collectAsList()) {
        if (r.getString(0).startsWith("#") || r.getString(0).isEmpty()) {
          continue; // partition information
        }
        assertThat(r.getString(2)).as(table + "." + r.getString(0)).isNotBlank();
      }
    }
    Row relative =
        spark.sql("DESCRIBE tensor_metrics").where("col_name = 'relative_delta'").first();
    assertThat(relative.getString(2)).isEqualTo(Metric.RELATIVE_DELTA.description());
  }
}
