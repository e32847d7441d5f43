package io.deltascope.results;

import io.delta.exceptions.DeltaConcurrentModificationException;
import io.delta.tables.DeltaTable;
import io.deltascope.checkpoint.HadoopFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A folder of Delta tables partitioned by {@code run_id} (a local path or any Hadoop URI).
 *
 * <p>Every row carries the id of the write that produced it ({@value #WRITE_ID}). A run is written
 * table by table, each table in one Delta commit that appends the run's rows under a new write id;
 * then one commit on {@code runs} switches the run's row to that write id, and only then are the
 * rows of the write it replaced deleted. Readers see a table's rows only where a {@code runs} row
 * names their run and write id ({@link #table}): a writer killed at any point leaves each run its
 * old version or its new one, whole. Writers of different runs touch disjoint partitions and never
 * conflict; two writers of the same run id both switch in turn, each replacing a whole version.
 */
public final class ResultsStore {
  /** The column that ties a row to the write that produced it; hidden from readers. */
  public static final String WRITE_ID = "write_id";

  /** The exit code of a writer halted by the crash test's hook. */
  public static final int HALTED = 137;

  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final int ATTEMPTS = 20;
  // a table name, not qualified, then VERSION|TIMESTAMP AS OF
  private static final Pattern TIME_TRAVEL =
      Pattern.compile(
          "(?<![\\w.`])([A-Za-z_][A-Za-z0-9_]*)(\\s+(?:VERSION|TIMESTAMP)\\s+AS\\s+OF\\b)",
          Pattern.CASE_INSENSITIVE);
  private static final String USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata";

  // The crash test's hook: -Ddeltascope.test.halt-after-step=K halts the JVM after the K-th step
  // of writing (a Delta commit), as kill -9 would, so the aftermath of every step can be checked.
  private static final int HALT_AFTER = Integer.getInteger("deltascope.test.halt-after-step", 0);
  private static final AtomicInteger STEPS = new AtomicInteger();

  private final SparkSession spark;
  private final StoreFolder folder;

  public ResultsStore(SparkSession spark, String root) {
    this.spark = spark;
    this.folder = new StoreFolder(new Path(root), spark.sparkContext().hadoopConfiguration());
  }

  public static void checkRunId(String runId) {
    if (!RUN_ID.matcher(runId).matches()) {
      throw new IllegalArgumentException(
          "run id '" + runId + "' must be letters, digits, '.', '_' or '-' (at most 128)");
    }
  }

  /**
   * Writes one run: its tables (each with a {@code run_id} column) and then its {@code runs} row.
   * Writing a run id that exists replaces that run whole.
   *
   * @param run the run's row
   * @param tables table name to rows, written in this order
   * @throws StoreException naming the store and the problem; earlier runs stay as they were
   */
  public void writeRun(RunRow run, Map<String, Dataset<Row>> tables) {
    String runId = run.getRunId();
    checkRunId(runId);
    folder.prepareForWrite();
    String writeId = UUID.randomUUID().toString();
    // every commit of the write says which run it was and who wrote it (store history)
    spark.conf().set(USER_METADATA, commitNote(runId, writeId));
    try {
      commitRun(run, tables, writeId);
    } finally {
      spark.conf().unset(USER_METADATA);
    }
  }

  private void commitRun(RunRow run, Map<String, Dataset<Row>> tables, String writeId) {
    String runId = run.getRunId();
    for (Map.Entry<String, Dataset<Row>> table : tables.entrySet()) {
      guarded(
          table.getKey(),
          runId,
          () -> append(table.getKey(), stamped(table.getValue(), runId, writeId)));
      stepDone();
    }
    Dataset<Row> runRow =
        stamped(
            Tables.asTable(
                spark.createDataset(List.of(run), RunRow.ENCODER),
                Tables.RUNS,
                runId,
                Tables.RUNS_COLUMNS),
            runId,
            writeId);
    Optional<String> replaced =
        guarded(Tables.RUNS, runId, () -> switchRun(runRow, runId, writeId));
    stepDone();
    if (replaced != null) {
      for (String table : folder.tables()) {
        if (!table.equals(Tables.RUNS)) {
          guarded(table, runId, () -> deleteWrite(table, runId, replaced));
          stepDone();
        }
      }
    }
  }

  /**
   * A table as readers see it: the rows of runs whose {@code runs} row names their write, without
   * the write id column.
   */
  public Dataset<Row> table(String name) {
    folder.checkReadable();
    Dataset<Row> rows = raw(name);
    if (name.equals(Tables.RUNS)) {
      return ColumnComments.described(rows.drop(WRITE_ID), name);
    }
    Dataset<Row> live = raw(Tables.RUNS).select(Tables.RUN_ID, WRITE_ID);
    Column sameWrite =
        rows.col(Tables.RUN_ID)
            .eqNullSafe(live.col(Tables.RUN_ID))
            .and(rows.col(WRITE_ID).eqNullSafe(live.col(WRITE_ID)));
    return ColumnComments.described(rows.join(live, sameWrite, "left_semi").drop(WRITE_ID), name);
  }

  /**
   * Registers every table of the store as a temporary view of the same name (as {@link #table}
   * reads it); returns their names, sorted.
   */
  public List<String> registerViews() {
    folder.checkReadable();
    List<String> names = new ArrayList<>();
    for (String name : folder.tables()) {
      table(name).createOrReplaceTempView(name);
      names.add(name);
    }
    return names;
  }

  /**
   * The query with each of the store's tables that it reads {@code VERSION AS OF} or {@code
   * TIMESTAMP AS OF} named by its Delta path, which time travel needs (a view has no versions). The
   * table is then read as it was committed, every row with its write id.
   */
  public String resolveTimeTravel(String query) {
    List<String> tables = folder.tables();
    Matcher m = TIME_TRAVEL.matcher(query);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String replacement =
          tables.contains(name.toLowerCase(java.util.Locale.ROOT))
              ? "delta.`"
                  + folder
                      .table(name.toLowerCase(java.util.Locale.ROOT))
                      .toString()
                      .replace("`", "``")
                  + "`"
              : name;
      m.appendReplacement(out, Matcher.quoteReplacement(replacement + m.group(2)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Whether the store has a visible run of this id. */
  public boolean hasRun(String runId) {
    return !table(Tables.RUNS).where(Tables.RUN_ID + " = '" + runId + "'").isEmpty();
  }

  /** The Delta table under the store, every row, write ids included (maintenance, time travel). */
  Dataset<Row> raw(String name) {
    if (!folder.isDelta(name)) {
      throw new StoreException(folder.name() + ": no Delta table " + name + " (no _delta_log)");
    }
    try {
      return spark.read().format("delta").load(folder.table(name).toString());
    } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
      throw failure(name, "cannot read", e);
    }
  }

  StoreFolder folder() {
    return folder;
  }

  private static String commitNote(String runId, String writeId) {
    var note = io.deltascope.report.JsonReport.MAPPER.createObjectNode();
    note.put("run_id", runId);
    note.put(WRITE_ID, writeId);
    note.put("user", System.getProperty("user.name"));
    note.put("tool", "deltascope " + io.deltascope.report.Version.get());
    return note.toString();
  }

  private static Dataset<Row> stamped(Dataset<Row> rows, String runId, String writeId) {
    return rows.withColumn(Tables.RUN_ID, org.apache.spark.sql.functions.lit(runId))
        .withColumn(WRITE_ID, org.apache.spark.sql.functions.lit(writeId));
  }

  private Void append(String table, Dataset<Row> rows) {
    rows.write()
        .format("delta")
        .mode("append")
        .partitionBy(Tables.RUN_ID)
        .save(folder.table(table).toString());
    return null;
  }

  /**
   * Points the run's {@code runs} row at {@code writeId} in one commit, on condition that the row
   * is still the one read just before: returns the write id it replaced (empty for a run that had
   * none: an upgraded store's rows), or null for a new run.
   */
  private Optional<String> switchRun(Dataset<Row> runRow, String runId, String writeId) {
    String path = folder.table(Tables.RUNS).toString();
    for (int attempt = 1; ; attempt++) {
      try {
        if (!folder.isDelta(Tables.RUNS)) {
          append(Tables.RUNS, runRow);
          return null;
        }
        List<Row> live =
            raw(Tables.RUNS)
                .where(Tables.RUN_ID + " = '" + runId + "'")
                .select(WRITE_ID)
                .collectAsList();
        String match =
            live.isEmpty()
                ? "false"
                : live.get(0).isNullAt(0)
                    ? "t." + WRITE_ID + " IS NULL"
                    : "t." + WRITE_ID + " = '" + live.get(0).getString(0) + "'";
        Row metrics =
            DeltaTable.forPath(spark, path)
                .as("t")
                .merge(runRow.as("s"), "t." + Tables.RUN_ID + " = '" + runId + "'")
                .whenMatched(match)
                .updateAll()
                .whenNotMatched()
                .insertAll()
                .execute()
                .first();
        if (metrics.getLong(0) == 1) {
          return live.isEmpty() ? null : Optional.ofNullable(live.get(0).getString(0));
        }
        // another writer switched the run between the read and the merge: read it again
      } catch (DeltaConcurrentModificationException e) {
        if (attempt >= ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private Void deleteWrite(String table, String runId, Optional<String> writeId) {
    String same = writeId.map(id -> WRITE_ID + " = '" + id + "'").orElse(WRITE_ID + " IS NULL");
    DeltaTable.forPath(spark, folder.table(table).toString())
        .delete(Tables.RUN_ID + " = '" + runId + "' AND " + same);
    return null;
  }

  /** Runs one commit, again where a concurrent commit got in first; failures name the store. */
  private <T> T guarded(String table, String runId, java.util.function.Supplier<T> commit) {
    for (int attempt = 1; ; attempt++) {
      try {
        return commit.get();
      } catch (DeltaConcurrentModificationException e) {
        if (attempt >= ATTEMPTS) {
          throw failure(table, "cannot write run " + runId, e);
        }
      } catch (StoreException e) {
        throw e;
      } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
        throw failure(table, "cannot write run " + runId, e);
      }
    }
  }

  private StoreException failure(String table, String what, Throwable e) {
    return new StoreException(
        folder.name() + ": table " + table + ": " + what + ": " + HadoopFiles.describe(e), e);
  }

  private static void stepDone() {
    if (STEPS.incrementAndGet() == HALT_AFTER) {
      Runtime.getRuntime().halt(HALTED);
    }
  }
}
