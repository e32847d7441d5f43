package io.deltascope.results;

import io.delta.tables.DeltaTable;
import io.deltascope.checkpoint.HadoopFiles;
import io.deltascope.checkpoint.TensorRole;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;

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

  /**
   * Compacts every table's small files, runs packed together in run id order (Delta's clustering; a
   * table of the earlier partitioned layout only within each run); returns per table what changed.
   */
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
   * Purges the rows of writes no {@code runs} row names (a writer killed before its switch, or
   * before deleting what it replaced) once they are older than {@code hours}, then deletes the
   * files no version of the last {@code hours} needs: time travel to older versions ends there.
   * Below Delta's safe 168 hours only when asked, since a writer in flight or a reader of an older
   * version may still need them.
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
          table -> {
            long purged = purge(table, hours);
            delta(table).vacuum(hours); // runs now; its result is empty
            return spark
                .range(1)
                .select(
                    functions.lit(hours).as("retain_hours"),
                    functions.lit(purged).as("rows_purged"));
          });
    } finally {
      spark.conf().unset(check);
      spark.conf().unset(listing);
    }
  }

  /**
   * Deletes, in one commit, the rows of {@code table} whose (run id, write id) no {@code runs} row
   * names and whose write committed more than {@code hours} ago (or is no longer in the log's
   * history); returns how many.
   */
  long purge(String table, double hours) {
    if (table.equals(Tables.RUNS)) {
      return 0;
    }
    Dataset<Row> rows = store.raw(table);
    Dataset<Row> live = store.raw(Tables.RUNS);
    String run = Tables.RUN_ID;
    String write = ResultsStore.WRITE_ID;
    Dataset<Row> unnamed =
        rows.select(run, write)
            .distinct()
            .join(
                live,
                rows.col(run)
                    .equalTo(live.col(run))
                    .and(rows.col(write).eqNullSafe(live.col(write))),
                "left_anti");
    Timestamp cutoff = new Timestamp(System.currentTimeMillis() - (long) (hours * 3_600_000));
    Dataset<Row> recent =
        delta(table)
            .history()
            .where(functions.col("timestamp").geq(functions.lit(cutoff)))
            .select(functions.get_json_object(functions.col("userMetadata"), "$." + write).as("w"));
    List<Row> orphans =
        unnamed
            .join(recent, unnamed.col(write).equalTo(recent.col("w")), "left_anti")
            .collectAsList();
    if (orphans.isEmpty()) {
      return 0;
    }
    Dataset<Row> writes = spark.createDataFrame(orphans, unnamed.schema());
    long count =
        rows.join(
                functions.broadcast(writes),
                rows.col(run)
                    .equalTo(writes.col(run))
                    .and(rows.col(write).eqNullSafe(writes.col(write))),
                "left_semi")
            .count();
    DeltaTable.forPath(spark, folder.table(table).toString())
        .as("t")
        .merge(
            functions.broadcast(writes).as("w"),
            "t." + run + " = w." + run + " AND t." + write + " <=> w." + write)
        .whenMatched()
        .delete()
        .execute();
    return count;
  }

  /** What {@link #check} found: how many runs and files it checked, and each fault, one line. */
  public record Check(long runs, long files, List<String> faults) {}

  /** At most this many runs are named per table whose rows do not add up. */
  private static final int RUNS_NAMED = 100;

  /**
   * Checks the store whole: each run's rows in each table against the counts its {@code runs} row
   * records (runs written before they were recorded are not checked), and each file every table's
   * log names (it exists, of the size the log says). A table whose log cannot be read is a fault
   * too; the others are checked on.
   */
  public Check check() {
    folder.checkReadable();
    List<String> faults = new ArrayList<>();
    Dataset<Row> runs = null;
    long runCount = 0;
    long files = 0;
    try {
      runs = store.raw(Tables.RUNS);
      runCount = runs.count();
    } catch (StoreException e) {
      faults.add(e.getMessage());
    }
    for (String table : folder.tables()) {
      try {
        int before = faults.size();
        files += checkFiles(table, faults);
        if (runs != null && faults.size() == before) { // rows are counted in whole files only
          Dataset<Row> live = runs;
          faults.addAll(
              store.read(() -> store.miscounts(table, live, store.table(table), RUNS_NAMED)));
        }
      } catch (StoreException e) {
        faults.add(e.getMessage());
      } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
        faults.add(folder.name() + ": table " + table + ": " + HadoopFiles.describe(e));
      }
    }
    return new Check(runCount, files, faults);
  }

  /**
   * Checks each file the table's current version names: there, and of the size its log records;
   * adds a line per fault; returns how many files it checked.
   */
  private long checkFiles(String table, List<String> faults) throws java.io.IOException {
    Path root = new Path(folder.qualified(table));
    List<Row> named;
    try {
      named =
          DeltaLog.forTable(spark, root)
              .update(false, Option.empty(), Option.empty())
              .allFiles()
              .toDF()
              .select("path", "size")
              .collectAsList();
    } catch (Exception e) { // Delta's exceptions, checked ones unchecked
      faults.add(
          folder.name() + ": table " + table + ": damaged _delta_log: " + HadoopFiles.describe(e));
      return 0;
    }
    FileSystem fs = folder.fs();
    for (Row file : named) {
      Path path = new Path(java.net.URI.create(file.getString(0)));
      Path at = path.isAbsolute() ? path : new Path(root, path);
      String name = table + "/" + file.getString(0);
      long size = file.getLong(1);
      try {
        long found = fs.getFileStatus(at).getLen();
        if (found != size) {
          faults.add(
              folder.name()
                  + ": table "
                  + table
                  + ": file "
                  + name
                  + " has "
                  + found
                  + " bytes, where the log records "
                  + size);
        }
      } catch (java.io.FileNotFoundException e) {
        faults.add(
            folder.name() + ": table " + table + ": file " + name + " named by the log is missing");
      }
    }
    return named.size();
  }

  /**
   * Converts a plain Parquet store (schema version 1 or 2) in place: each table becomes a Delta
   * table clustered by run_id, its columns renamed, ordered and completed (null) to the current
   * schema of {@link Tables}; then the marker names the current version. A current store whose
   * tables have the earlier layout (partitioned by run_id) has them clustered. Returns the tables
   * changed.
   */
  public List<String> upgrade() {
    int version = folder.version();
    List<String> tables = new ArrayList<>();
    for (String table : folder.tables()) {
      if (version < Tables.SCHEMA_VERSION || !clustered(table)) {
        tables.add(table);
      }
    }
    boolean embeddings =
        folder.tables().contains(Tables.TENSOR_METRICS)
            && (version < Tables.FIRST_DELTA_VERSION || hasEmbeddingsWithoutLayer());
    if (version >= Tables.SCHEMA_VERSION && tables.isEmpty() && !embeddings) {
      throw new StoreException(
          folder.name() + ": already at schema version " + version + "; nothing to upgrade");
    }
    if (embeddings && !tables.contains(Tables.TENSOR_METRICS)) {
      tables.add(Tables.TENSOR_METRICS);
    }
    for (String table : tables) {
      try {
        upgrade(table);
      } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
        throw new StoreException(
            folder.name() + ": table " + table + ": cannot upgrade: " + HadoopFiles.describe(e), e);
      }
    }
    folder.writeMarker(Tables.SCHEMA_VERSION);
    return tables;
  }

  /** The embeddings' rows a store before version 4 wrote with layer null, where it layers them. */
  private static Column embeddingsWithoutLayer() {
    return functions
        .col("layer")
        .isNull()
        .and(functions.col("component").isin(TensorRole.EMBEDDINGS.toArray()));
  }

  private boolean hasEmbeddingsWithoutLayer() {
    return !store.raw(Tables.TENSOR_METRICS).where(embeddingsWithoutLayer()).isEmpty();
  }

  /**
   * One table to the current schema and layout: converted to Delta where it is Parquet, rewritten
   * unpartitioned where it is not yet current or partitioned (one commit), then clustered.
   */
  private void upgrade(String table) {
    String path = folder.table(table).toString();
    String quoted = path.replace("`", "``");
    if (!folder.isDelta(table)) {
      DeltaTable.convertToDelta(spark, "parquet.`" + quoted + "`", Tables.RUN_ID + " STRING");
    }
    Dataset<Row> rows = spark.read().format("delta").load(path);
    // a table an interrupted upgrade already rewrote has its write ids: it is current
    boolean rewritten = List.of(rows.columns()).contains(ResultsStore.WRITE_ID);
    if (!rewritten || !detail(table).getList(0).isEmpty()) {
      (rewritten ? rows : current(table, rows))
          .write()
          .format("delta")
          .mode("overwrite")
          .option("overwriteSchema", "true")
          .save(path);
    }
    if (!clustered(table)) {
      spark.sql("ALTER TABLE delta.`" + quoted + "` CLUSTER BY (" + Tables.RUN_ID + ")");
    }
    if (table.equals(Tables.TENSOR_METRICS)) {
      // the embeddings' layer -1 (version 4), in one commit; a rerun finds none left to move
      DeltaTable.forPath(spark, path)
          .update(
              embeddingsWithoutLayer(),
              Map.of("layer", functions.lit(TensorRole.EMBEDDINGS_LAYER)));
    }
  }

  private boolean clustered(String table) {
    return folder.isDelta(table) && !detail(table).getList(1).isEmpty();
  }

  /** The table's partition columns and clustering columns, in that order. */
  private Row detail(String table) {
    return DeltaTable.forPath(spark, folder.table(table).toString())
        .detail()
        .select("partitionColumns", "clusteringColumns")
        .first();
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
