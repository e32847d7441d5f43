package io.deltascope.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import io.deltascope.FewShufflePartitions;
import io.deltascope.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code store vacuum}'s purge of unnamed writes and {@code store upgrade}'s layers and layout. */
@ExtendWith(FewShufflePartitions.class)
class StoreMaintenanceTest {
  private static final int TENSORS = 3;

  @TempDir Path dir;

  private final SparkSession spark = TestSpark.session();

  @Test
  void vacuumPurgesTheRowsOfAWriteNoRunNamesOnceOlderThanTheRetention() {
    String store = dir.resolve("store").toString();
    SyntheticRuns.write(spark, store, "a", 1, TENSORS);
    // a write of run a that dies after its first table: its tensor_metrics rows stay, unnamed
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>(SyntheticRuns.tables(spark, "a", 2, 3));
    tables.put(Tables.SPECTRA, tables.get(Tables.SPECTRA).withColumn("extra", functions.lit(1)));
    ResultsStore results = new ResultsStore(spark, store);
    assertThatThrownBy(() -> results.writeRun(SyntheticRuns.run("a", 2), tables))
        .isInstanceOf(StoreException.class);
    assertThat(results.raw(Tables.TENSOR_METRICS).count()).isEqualTo(2 * TENSORS);

    StoreMaintenance maintenance = new StoreMaintenance(spark, store);
    // within the retention the rows may be a writer's in flight: kept
    assertThat(purged(maintenance.vacuum(1)))
        .isEqualTo(Map.of("runs", 0L, "spectra", 0L, "tensor_metrics", 0L));
    assertThat(results.raw(Tables.TENSOR_METRICS).count()).isEqualTo(2 * TENSORS);
    assertThat(purged(maintenance.vacuum(0)))
        .isEqualTo(Map.of("runs", 0L, "spectra", 0L, "tensor_metrics", (long) TENSORS));
    assertThat(results.raw(Tables.TENSOR_METRICS).count()).isEqualTo(TENSORS);
    assertThat(
            results
                .table(Tables.TENSOR_METRICS)
                .agg(functions.min("relative_delta"), functions.max("relative_delta"))
                .first()
                .toString())
        .isEqualTo("[1.0,1.0]");
    assertThat(results.table(Tables.SPECTRA).count()).isEqualTo(2 * TENSORS);
  }

  @Test
  void upgradeMovesAnOldStoresForwardPassLayersToTheOneNumberingAndKeepsItsRuns() throws Exception {
    Path old = dir.resolve("old");
    // a schema version 2 store: Parquet partitions; block l was layer l + 1, embeddings 0
    runsRow("old-run").write().partitionBy("run_id").parquet(old.resolve("runs").toString());
    spark
        .sql(
            "SELECT 'old-run' AS run_id, 0 AS prompt_index, 'p' AS prompt, 4 AS num_tokens,"
                + " CAST(id AS INT) AS layer, 0.5 AS cosine_last_token FROM range(3)")
        .write()
        .partitionBy("run_id")
        .parquet(old.resolve(Tables.ACTIVATION_METRICS).toString());
    spark
        .sql(
            "SELECT 'old-run' AS run_id, 1 AS model_index, 'm' AS model, 0 AS prompt_index,"
                + " CAST(id AS INT) AS layer, 1 AS rank, 7L AS token_id, 't' AS token,"
                + " 0.25 AS prob FROM range(4)")
        .write()
        .partitionBy("run_id")
        .parquet(old.resolve(Tables.LOGIT_LENS).toString());
    Files.writeString(old.resolve("_deltascope.json"), "{\"schema_version\": 2}\n");

    new StoreMaintenance(spark, old.toString()).upgrade();

    ResultsStore results = new ResultsStore(spark, old.toString());
    assertThat(layers(results, Tables.ACTIVATION_METRICS)).containsExactly(-1, 0, 1);
    assertThat(layers(results, Tables.LOGIT_LENS)).containsExactly(-1, 0, 1, 2);
    assertThat(results.table(Tables.RUNS).first().<String>getAs("pair")).isEqualTo("pair-old-run");
    assertThat(clustering(old.resolve(Tables.LOGIT_LENS))).isEqualTo("[[], [run_id]]");
  }

  @Test
  void upgradeClustersTheTablesOfTheEarlierPartitionedLayoutAndChangesNothingElse()
      throws Exception {
    String written = dir.resolve("written").toString();
    SyntheticRuns.write(spark, written, "a", 1, TENSORS);
    SyntheticRuns.write(spark, written, "b", 2, TENSORS);
    // the same store in the layout deltascope wrote before: every table partitioned by run_id
    String store = dir.resolve("partitioned").toString();
    ResultsStore source = new ResultsStore(spark, written);
    for (String table : List.of(Tables.RUNS, Tables.TENSOR_METRICS, Tables.SPECTRA)) {
      source.raw(table).write().format("delta").partitionBy("run_id").save(store + "/" + table);
    }
    Files.copy(Path.of(written, StoreFolder.MARKER), Path.of(store, StoreFolder.MARKER));
    ResultsStore results = new ResultsStore(spark, store);
    assertThat(clustering(Path.of(store, Tables.SPECTRA))).isEqualTo("[[run_id], []]");
    // still written and read as it is
    SyntheticRuns.write(spark, store, "c", 3, TENSORS);
    String before = perRun(results);
    assertThat(before).isEqualTo("[[a,1.0,3], [b,2.0,3], [c,3.0,3]]");

    assertThat(new StoreMaintenance(spark, store).upgrade())
        .containsExactly(Tables.RUNS, Tables.SPECTRA, Tables.TENSOR_METRICS);
    for (String table : List.of(Tables.RUNS, Tables.TENSOR_METRICS, Tables.SPECTRA)) {
      assertThat(clustering(Path.of(store, table))).as(table).isEqualTo("[[], [run_id]]");
    }
    assertThat(perRun(results)).isEqualTo(before);
    SyntheticRuns.write(spark, store, "a", 4, TENSORS);
    assertThat(perRun(results)).isEqualTo("[[a,4.0,3], [b,2.0,3], [c,3.0,3]]");
    assertThatThrownBy(() -> new StoreMaintenance(spark, store).upgrade())
        .hasMessageContaining("nothing to upgrade");
  }

  private Dataset<Row> runsRow(String runId) {
    return Tables.asTable(
            spark.createDataset(List.of(SyntheticRuns.run(runId, 1)), RunRow.ENCODER),
            Tables.RUNS,
            runId,
            Tables.RUNS_COLUMNS)
        .drop("diagnosis")
        .withColumnRenamed("pair", "name");
  }

  private static List<Integer> layers(ResultsStore results, String table) {
    return results
        .table(table)
        .select("layer")
        .distinct()
        .orderBy("layer")
        .as(Encoders.INT())
        .collectAsList();
  }

  private String clustering(Path table) {
    Row detail =
        DeltaTable.forPath(spark, table.toString())
            .detail()
            .select("partitionColumns", "clusteringColumns")
            .first();
    return List.of(detail.getList(0), detail.getList(1)).toString();
  }

  private static String perRun(ResultsStore results) {
    return results
        .table(Tables.TENSOR_METRICS)
        .groupBy("run_id")
        .agg(functions.max("relative_delta"), functions.count("*"))
        .orderBy("run_id")
        .collectAsList()
        .toString();
  }

  private static Map<String, Long> purged(Dataset<Row> vacuumed) {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (Row row : vacuumed.collectAsList()) {
      out.put(row.<String>getAs("table"), row.<Long>getAs("rows_purged"));
    }
    return out;
  }
}
