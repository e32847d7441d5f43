package io.deltascope.results;

import io.delta.tables.DeltaTable;
import io.deltascope.checkpoint.HadoopFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What a scheduler runs on a results store ({@code deltascope store ...}): its commit history,
 * compaction, removal of files no version needs, and the upgrade of a plain Parquet store.
 */
public final class StoreMaintenance {
  private final SparkSession spark;
  private final ResultsStore store;
  private final StoreFolder folder;

  public StoreMaintenance(SparkSession spark, String root) {
    this.spark = spark;
    this.store = new ResultsStore(spark, root);
    this.folder = store.folder();
  }

  /**
   * Every commit of every table, newest first: table, version, when, the operation, and the run and
   * user the writer recorded in the commit.
   */
  public Dataset<Row> history() {
    folder.checkReadable();
    Dataset<Row> all = null;
    for (String table : folder.tables()) {
      Dataset<Row> commits =
          delta(table)
              .history()
              .select(
                  functions.lit(table).as("table"),
                  functions.col("version"),
                  functions.col("timestamp"),
                  functions.col("operation"),
                  functions.get_json_object(functions.col("userMetadata"), "$.run_id").as("run_id"),
                  functions.get_json_object(functions.col("userMetadata"), "$.user").as("user"),
                  functions.get_json_object(functions.col("userMetadata"), "$.tool").as("tool"));
      all = all == null ? commits : all.unionByName(commits);
    }
    if (all == null) {
      throw new StoreException(folder.name() + ": the results store has no tables");
    }
    return all.orderBy(functions.col("timestamp").desc(), functions.col("table"));
  }

  /** Compacts every table's small files (per run partition); returns per table what changed. */
  public Dataset<Row> optimize() {
    folder.checkReadable();
    return perTable(
        table ->
            delta(table)
                .optimize()
                .executeCompaction()
                .select(
                    functions.col("metrics.numFilesRemoved").as("files_removed"),
                    functions.col("metrics.numFilesAdded").as("files_added")));
  }

  /**
   * Deletes the files no version of the last {@code hours} needs: time travel to older versions
   * ends there. Below Delta's safe 168 hours only when asked, since a writer in flight or a reader
   * of an older version may still need them.
   */
  public Dataset<Row> vacuum(double hours) {
    folder.checkReadable();
    String check = "spark.databricks.delta.retentionDurationCheck.enabled";
    // vacuum lists a table's folders in as many tasks as this says (Spark's default: 10,000)
    String listing = "spark.sql.sources.parallelPartitionDiscovery.parallelism";
    spark.conf().set(check, "false");
    spark.conf().set(listing, Integer.toString(spark.sparkContext().defaultParallelism()));
    try {
      return perTable(
          table -> delta(table).vacuum(hours).select(functions.lit(hours).as("retain_hours")));
    } finally {
      spark.conf().unset(check);
      spark.conf().unset(listing);
    }
  }

  /**
   * Converts a plain Parquet store (schema version 1 or 2) in place: each table becomes a Delta
   * table partitioned by run_id, its columns renamed, ordered and completed (null) to the current
   * schema of {@link Tables}; then the marker names the current version. Returns the tables.
   */
  public List<String> upgrade() {
    int version = folder.version();
    if (version >= Tables.SCHEMA_VERSION) {
      throw new StoreException(
          folder.name() + ": already at schema version " + version + "; nothing to upgrade");
    }
    List<String> tables = folder.tables();
    for (String table : tables) {
      String path = folder.table(table).toString();
      try {
        if (!folder.isDelta(table)) {
          DeltaTable.convertToDelta(
              spark, "parquet.`" + path.replace("`", "``") + "`", Tables.RUN_ID + " STRING");
        }
        Dataset<Row> rows = spark.read().format("delta").load(path);
        Dataset<Row> current = current(table, rows);
        current
            .write()
            .format("delta")
            .mode("overwrite")
            .option("overwriteSchema", "true")
            .partitionBy(Tables.RUN_ID)
            .save(path);
      } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
        throw new StoreException(
            folder.name() + ": table " + table + ": cannot upgrade: " + HadoopFiles.describe(e), e);
      }
    }
    folder.writeMarker(Tables.SCHEMA_VERSION);
    return tables;
  }

  /**
   * An old table's rows in the current schema: renamed columns under their new names, the current
   * columns in order (null where the old table had none), then columns only the old table had, then
   * the write id (null: the run's rows and its runs row match on it).
   */
  static Dataset<Row> current(Dataset<Row> rows, StructType schema, Map<String, String> renamed) {
    for (Map.Entry<String, String> r : renamed.entrySet()) {
      if (List.of(rows.columns()).contains(r.getKey())) {
        rows = rows.withColumnRenamed(r.getKey(), r.getValue());
      }
    }
    List<String> have = List.of(rows.columns());
    List<Column> columns = new ArrayList<>();
    List<String> placed = new ArrayList<>();
    for (StructField field : schema.fields()) {
      columns.add(
          (have.contains(field.name()) ? rows.col(field.name()) : functions.lit(null))
              .cast(field.dataType())
              .as(field.name()));
      placed.add(field.name());
    }
    for (String column : have) {
      if (!placed.contains(column) && !column.equals(ResultsStore.WRITE_ID)) {
        columns.add(rows.col(column));
      }
    }
    columns.add(
        (have.contains(ResultsStore.WRITE_ID)
                ? rows.col(ResultsStore.WRITE_ID)
                : functions.lit(null).cast("string"))
            .as(ResultsStore.WRITE_ID));
    return rows.select(columns.toArray(Column[]::new));
  }

  private Dataset<Row> current(String table, Dataset<Row> rows) {
    if ((table.equals(Tables.ACTIVATION_METRICS) || table.equals(Tables.LOGIT_LENS))
        && List.of(rows.columns()).contains("layer")) {
      // before schema 3 the embeddings were layer 0 and block l was layer l + 1
      rows = rows.withColumn("layer", rows.col("layer").minus(1));
    }
    StructType schema =
        Tables.schema(spark, table).orElseGet(() -> new StructType().add(Tables.RUN_ID, "string"));
    return current(rows, schema, Tables.RENAMED.getOrDefault(table, Map.of()));
  }

  private Dataset<Row> perTable(java.util.function.Function<String, Dataset<Row>> action) {
    Dataset<Row> all = null;
    for (String table : folder.tables()) {
      Dataset<Row> result;
      try {
        result = action.apply(table).limit(1).withColumn("table", functions.lit(table));
        result = spark.createDataFrame(result.collectAsList(), result.schema());
      } catch (StoreException e) {
        throw e;
      } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
        throw new StoreException(
            folder.name() + ": table " + table + ": " + HadoopFiles.describe(e), e);
      }
      all = all == null ? result : all.unionByName(result);
    }
    if (all == null) {
      throw new StoreException(folder.name() + ": the results store has no tables");
    }
    return all;
  }

  private DeltaTable delta(String table) {
    store.raw(table); // a table that is not Delta is named as such
    return DeltaTable.forPath(spark, folder.table(table).toString());
  }
}
