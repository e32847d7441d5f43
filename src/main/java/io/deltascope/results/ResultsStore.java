package io.deltascope.results;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.exceptions.DeltaConcurrentModificationException;
import io.delta.tables.DeltaTable;
import io.deltascope.checkpoint.HadoopFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A folder of Delta tables clustered by {@code run_id} (a local path or any Hadoop URI).
 *
 * <p>Every row carries the id of the write that produced it ({@value #WRITE_ID}). A run is written
 * table by table, each table in one Delta commit that appends the run's rows under a new write id;
 * then one commit on {@code runs} switches the run's row to that write id, and only then are the
 * rows of the write it replaced deleted. Readers see a table's rows only where a {@code runs} row
 * names their run and write id ({@link #table}): a writer killed at any point leaves each run its
 * old version or its new one, whole. Appends are blind and never conflict; a switch or a delete
 * that meets a concurrent commit on the files it read is tried again, so writers of different runs
 * both land, and two writers of the same run id both switch in turn, each replacing a whole
 * version.
 *
 * <p>Tables are clustered by {@code run_id} (Delta's liquid clustering), not partitioned by it: a
 * store of 10,000 runs would otherwise keep at least 10,000 files per table that compaction can
 * never merge; clustered, {@code store optimize} packs runs together sorted by run id, and a
 * per-run query skips files by their {@code run_id} statistics. A table of the earlier layout
 * (partitioned) is still read and written as it is ({@code store upgrade} clusters it).
 */
public final class ResultsStore {
  /** The column that ties a row to the write that produced it; hidden from readers. */
  public static final String WRITE_ID = "write_id";

  /** The exit code of a writer halted by the crash test's hook. */
  public static final int HALTED = 137;

  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final int ATTEMPTS = 20;
  private static final int CREATE_ATTEMPTS = 5;
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

  /**
   * Fails, writing nothing, when the store at {@code root} could not take a run: a file (or a store
   * to be made inside one), a folder holding something else, a store of another schema version.
   * Read through {@code fs}.
   *
   * @throws StoreException naming the store and the problem
   * @throws IOException when {@code fs} cannot be reached (the caller names where it looked)
   */
  public static void checkWritable(
      org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.Path root) throws IOException {
    StoreFolder.checkWritable(fs, root);
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
    Map<String, Dataset<Row>> rows = new LinkedHashMap<>();
    tables.forEach((name, table) -> rows.put(name, table.withColumn(Tables.RUN_ID, lit(runId))));
    write(List.of(run), rows);
  }

  /**
   * Writes many runs at once, as a job that publishes many pairs would: each table in one commit
   * for all of them (its rows name their run in {@code run_id}), then one commit on {@code runs}.
   * Each run is replaced whole or not at all; where another writer changed some of these runs
   * between the read and the switch, those keep the other writer's version and this fails naming
   * how many (the rows this write left for them are purged by {@code store vacuum}).
   *
   * @param runs the runs' rows, of distinct run ids
   * @param tables table name to rows of these runs, written in this order
   */
  public void writeRuns(List<RunRow> runs, Map<String, Dataset<Row>> tables) {
    runs.forEach(run -> checkRunId(run.getRunId()));
    write(runs, tables);
  }

  private void write(List<RunRow> runs, Map<String, Dataset<Row>> tables) {
    runs.forEach(RunRow::redactSecrets);
    folder.prepareForWrite();
    String writeId = UUID.randomUUID().toString();
    String what = runs.size() == 1 ? "run " + runs.get(0).getRunId() : runs.size() + " runs";
    // each run's row says how many rows it has in each table, so a reader can tell it whole
    Map<String, Map<String, Long>> counts = rowCounts(runs, tables);
    runs.forEach(run -> run.setRowCounts(counts.get(run.getRunId())));
    // every commit of the write says which run it was and who wrote it (store history)
    spark.conf().set(USER_METADATA, commitNote(runs, writeId));
    try {
      for (Map.Entry<String, Dataset<Row>> table : tables.entrySet()) {
        Dataset<Row> rows = table.getValue().withColumn(WRITE_ID, lit(writeId));
        guarded(table.getKey(), what, () -> append(table.getKey(), rows));
        stepDone();
      }
      Dataset<Row> runRows =
          Tables.asTable(
                  spark.createDataset(runs, RunRow.ENCODER), Tables.RUNS, "", Tables.RUNS_COLUMNS)
              .withColumn(WRITE_ID, lit(writeId));
      Map<String, Optional<String>> replaced =
          guarded(Tables.RUNS, what, () -> new RunsSwitch(runRows, runs.size()).apply());
      stepDone();
      deleteReplaced(replaced, what);
    } finally {
      spark.conf().unset(USER_METADATA);
    }
  }

  /** Per run, its rows in each of {@code tables} (0 where it has none). */
  private static Map<String, Map<String, Long>> rowCounts(
      List<RunRow> runs, Map<String, Dataset<Row>> tables) {
    Map<String, Map<String, Long>> counts = new HashMap<>();
    for (RunRow run : runs) {
      Map<String, Long> perTable = new java.util.TreeMap<>();
      tables.keySet().forEach(table -> perTable.put(table, 0L));
      counts.put(run.getRunId(), perTable);
    }
    tables.forEach(
        (table, rows) -> {
          for (Row r : rows.groupBy(Tables.RUN_ID).count().collectAsList()) {
            Map<String, Long> perTable = counts.get(r.getString(0));
            if (perTable != null) {
              perTable.put(table, r.getLong(1));
            }
          }
        });
    return counts;
  }

  /** Deletes, table by table, the rows of the writes the switch replaced. */
  private void deleteReplaced(Map<String, Optional<String>> replaced, String what) {
    if (replaced.isEmpty()) {
      return;
    }
    for (String table : folder.tables()) {
      if (!table.equals(Tables.RUNS)) {
        guarded(table, what, () -> deleteWrites(table, replaced));
        stepDone();
      }
    }
  }

  /**
   * A table as readers see it: the rows of runs whose {@code runs} row names their write, without
   * the write id column.
   */
  public Dataset<Row> table(String name) {
    folder.checkReadable();
    return visible(name, new Runs());
  }

  /** Checks the store can be read by this version: it exists, is a store, of this schema. */
  public void checkReadable() {
    folder.checkReadable();
  }

  /**
   * Registers every table of the store as a temporary view of the same name (as {@link #table}
   * reads it); returns their names, sorted.
   */
  public List<String> registerViews() {
    folder.checkReadable();
    dropViewsOfMissingTables(
        CollectionConverters.asJava(spark.sessionState().catalog().getTempViewNames()));
    return register(folder.tables());
  }

  /**
   * Registers the store's tables among {@code names} (any case: the tables a query reads) as {@link
   * #registerViews} does, and only those: each view costs the read of its table's log.
   */
  public List<String> registerViews(java.util.Collection<String> names) {
    folder.checkReadable();
    java.util.Set<String> wanted = new java.util.HashSet<>();
    names.forEach(n -> wanted.add(n.toLowerCase(java.util.Locale.ROOT)));
    dropViewsOfMissingTables(wanted);
    return register(folder.tables().stream().filter(wanted::contains).toList());
  }

  /**
   * Drops the views among {@code names} whose table the store does not have (deleted since a
   * serving session made the view, or another store's in the same session): a query of one is then
   * not found, rather than reading what is no longer there.
   */
  private void dropViewsOfMissingTables(java.util.Collection<String> names) {
    List<String> tables = folder.tables();
    names.stream().filter(n -> !tables.contains(n)).forEach(spark.catalog()::dropTempView);
  }

  /**
   * Runs a read of the store's tables (a query's job), naming the table where it fails on a file of
   * a table's log: Delta resolves a table from its last checksum file and reads the commits only
   * when a query plans its scan, so a damaged commit surfaces there, not when the view is made.
   *
   * @throws StoreException "table T: damaged _delta_log: ..." for such a failure
   */
  public <T> T read(java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (Exception e) { // Spark's SparkException is checked, and thrown unchecked
      for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
        String message = String.valueOf(c.getMessage());
        for (String table : folder.tables()) {
          if (message.contains(logPath(table))) {
            throw failure(table, "damaged _delta_log", e);
          }
        }
      }
      throw e;
    }
  }

  /** The path of the table's log folder as Spark's messages name it, without scheme. */
  private String logPath(String table) {
    return Path.getPathWithoutSchemeAndAuthority(new Path(folder.qualified(table))).toString()
        + "/"
        + StoreFolder.DELTA_LOG
        + "/";
  }

  /** The store's tables, sorted. */
  public List<String> tables() {
    folder.checkReadable();
    return folder.tables();
  }

  private List<String> register(List<String> names) {
    Runs runs = new Runs(); // one read of runs' log for all the views
    for (String name : names) {
      Dataset<Row> rows = visible(name, runs);
      checkCounts(() -> miscounts(name, runs.get(), rows, 1));
      rows.createOrReplaceTempView(name);
    }
    return names;
  }

  /**
   * The run's visible rows of {@code table}, checked first against the count its {@code runs} row
   * records.
   *
   * @throws StoreException naming the run and the table where their count differs
   */
  public Dataset<Row> runRows(String table, String runId) {
    folder.checkReadable();
    Runs runs = new Runs();
    Column ofRun = col(Tables.RUN_ID).equalTo(lit(runId));
    Dataset<Row> rows = visible(table, runs).where(ofRun);
    checkCounts(() -> miscounts(table, runs.get().where(ofRun), rows, 1));
    return rows;
  }

  /**
   * The runs of {@code runs} (at most {@code limit}, in run id order) whose visible {@code rows} of
   * {@code table} differ in number from what their {@code row_counts} records, each as the line
   * that says so; none where every recorded count holds (a run without counts, written before they
   * were recorded, is not checked).
   */
  List<String> miscounts(String table, Dataset<Row> runs, Dataset<Row> rows, int limit) {
    if (table.equals(Tables.RUNS) || !List.of(runs.columns()).contains(Tables.ROW_COUNTS)) {
      return List.of();
    }
    Dataset<Row> recorded =
        runs.select(
                col(Tables.RUN_ID),
                functions.try_element_at(col(Tables.ROW_COUNTS), lit(table)).as("recorded"))
            .where(col("recorded").isNotNull());
    Dataset<Row> found = rows.groupBy(Tables.RUN_ID).count();
    List<Row> wrong =
        recorded
            .join(found, recorded.col(Tables.RUN_ID).equalTo(found.col(Tables.RUN_ID)), "left")
            .select(
                recorded.col(Tables.RUN_ID),
                col("recorded"),
                functions.coalesce(found.col("count"), lit(0L)).as("found"))
            .where(col("found").notEqual(col("recorded")))
            .orderBy(Tables.RUN_ID)
            .limit(limit)
            .collectAsList();
    return wrong.stream()
        .map(
            r ->
                folder.name()
                    + ": run "
                    + r.getString(0)
                    + ": table "
                    + table
                    + ": "
                    + r.getLong(2)
                    + " rows, where its runs row records "
                    + r.getLong(1))
        .toList();
  }

  /**
   * Fails on the first miscount {@code check} finds, and finds again: a writer that replaced a run
   * between the reads of {@code runs} and of the table has settled by the second.
   */
  private void checkCounts(java.util.function.Supplier<List<String>> check) {
    List<String> wrong = read(check);
    if (!wrong.isEmpty()) {
      wrong = read(check);
    }
    if (!wrong.isEmpty()) {
      throw new StoreException(
          wrong.get(0) + " (a damaged store: `deltascope store check` lists its faults)");
    }
  }

  /** The table's visible rows: semi-joined with the run ids and write ids {@code runs} names. */
  private Dataset<Row> visible(String name, Runs runs) {
    // runs first: a run it names had its rows committed before, so the table read next has them
    Dataset<Row> named = runs.get();
    Dataset<Row> rows = name.equals(Tables.RUNS) ? named : raw(name);
    checkColumns(name, rows);
    if (name.equals(Tables.RUNS)) {
      return ColumnComments.described(rows.drop(WRITE_ID), name);
    }
    Dataset<Row> live = named.select(Tables.RUN_ID, WRITE_ID);
    Column sameWrite =
        rows.col(Tables.RUN_ID)
            .eqNullSafe(live.col(Tables.RUN_ID))
            .and(rows.col(WRITE_ID).eqNullSafe(live.col(WRITE_ID)));
    return ColumnComments.described(rows.join(live, sameWrite, "left_semi").drop(WRITE_ID), name);
  }

  /** The {@code runs} table, read on first use and then the same for every view that needs it. */
  private final class Runs implements java.util.function.Supplier<Dataset<Row>> {
    private Dataset<Row> rows;

    @Override
    public Dataset<Row> get() {
      if (rows == null) {
        rows = raw(Tables.RUNS);
      }
      return rows;
    }
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
                  + deltaPath(name.toLowerCase(java.util.Locale.ROOT)).replace("`", "``")
                  + "`"
              : name;
      m.appendReplacement(out, Matcher.quoteReplacement(replacement + m.group(2)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * The paths {@link #resolveTimeTravel} names the store's tables by ({@code delta.`PATH`}): a
   * reader that checks what a query reads allows these and no other path.
   */
  public Set<String> tablePaths() {
    return folder.tables().stream().map(this::deltaPath).collect(Collectors.toUnmodifiableSet());
  }

  private String deltaPath(String table) {
    return folder.table(table).toString();
  }

  /**
   * The error for a query of a table the store does not have (a typo, or a table folder deleted):
   * the store, the name and the tables it has.
   */
  public StoreException noSuchTable(String name) {
    return new StoreException(
        folder.name()
            + ": no table "
            + name
            + " in this results store (its tables: "
            + String.join(", ", tables())
            + ")");
  }

  /** Whether the store has a visible run of this id. */
  public boolean hasRun(String runId) {
    return !table(Tables.RUNS).where(Tables.RUN_ID + " = '" + runId + "'").isEmpty();
  }

  /** The Delta table under the store, every row, write ids included (maintenance, time travel). */
  Dataset<Row> raw(String name) {
    if (!folder.isDelta(name)) {
      throw new StoreException(
          folder.name() + ": no Delta table " + name + " (no commit in a _delta_log)");
    }
    try {
      // resolving the table reads its log: a damaged one is named here, not by the query's job
      return spark.read().format("delta").load(folder.table(name).toString());
    } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
      throw failure(name, "damaged _delta_log", e);
    }
  }

  /**
   * Refuses a table without the columns that tie its rows to runs (another tool's table in the
   * store's folder): readers would fail on it later with Spark's own words.
   */
  private void checkColumns(String name, Dataset<Row> rows) {
    List<String> have = List.of(rows.columns());
    List<String> missing =
        java.util.stream.Stream.of(Tables.RUN_ID, WRITE_ID).filter(c -> !have.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new StoreException(
          folder.name()
              + ": table "
              + name
              + ": not a deltascope table (another schema): no column "
              + String.join(", ", missing));
    }
  }

  StoreFolder folder() {
    return folder;
  }

  private static String commitNote(List<RunRow> runs, String writeId) {
    var note = io.deltascope.report.JsonReport.MAPPER.createObjectNode();
    if (runs.size() == 1) {
      note.put("run_id", runs.get(0).getRunId());
    } else {
      note.put("runs", runs.size());
    }
    note.put(WRITE_ID, writeId);
    note.put("user", System.getProperty("user.name"));
    note.put("tool", "deltascope " + io.deltascope.report.Version.get());
    return note.toString();
  }

  /**
   * Appends rows to a table, creating it clustered by run id where there is none yet (a writer that
   * loses the race to create it appends to the winner's).
   */
  private Void append(String table, Dataset<Row> rows) {
    create(table, rows.schema());
    rows.write().format("delta").mode("append").save(folder.table(table).toString());
    return null;
  }

  /**
   * Creates the table, clustered by run id, where it has no commit yet. A writer that loses the
   * race to create it appends to the winner's.
   */
  private void create(String table, StructType schema) {
    for (int attempt = 1; !folder.isDelta(table); attempt++) {
      try {
        if (folder.hasLog(table)) {
          createOverBareLog(table, schema);
        } else {
          DeltaTable.createIfNotExists(spark)
              .location(folder.qualified(table))
              .addColumns(nullable(schema))
              .clusterBy(Tables.RUN_ID)
              .execute();
        }
      } catch (Exception e) { // Delta's AnalysisException is checked, and thrown unchecked
        if (folder.isDelta(table)) {
          return; // another writer created it first
        }
        if (attempt >= CREATE_ATTEMPTS) {
          throw e;
        }
        pause(attempt);
      }
    }
  }

  /**
   * Creates the table where its {@code _delta_log} folder exists without a commit: another writer
   * is creating it now, or was killed doing so. Delta's create-if-not-exists takes a bare log for a
   * table and does nothing; an empty append commits version 0 (or loses to the other writer's, a
   * concurrent-modification failure), then clustering is switched on.
   */
  private void createOverBareLog(String table, StructType schema) {
    String path = folder.table(table).toString();
    spark
        .createDataFrame(List.<Row>of(), nullable(schema))
        .write()
        .format("delta")
        .mode("append")
        .save(path);
    spark.sql(
        "ALTER TABLE delta.`" + path.replace("`", "``") + "` CLUSTER BY (" + Tables.RUN_ID + ")");
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(100L * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while creating a table of the store", e);
    }
  }

  /** The schema with every column nullable, as Delta makes a table a DataFrame creates. */
  private static StructType nullable(StructType schema) {
    StructType out = new StructType();
    for (StructField f : schema.fields()) {
      out = out.add(new StructField(f.name(), f.dataType(), true, f.metadata()));
    }
    return out;
  }

  /**
   * Points the runs' {@code runs} rows at the new write id in one commit ({@code MERGE}), each on
   * condition that its row is still the one read just before.
   */
  private final class RunsSwitch {
    private static final String KNOWN = "_known";
    private static final String REPLACED = "_replaced";
    private final Dataset<Row> runRows;
    private final int count;

    RunsSwitch(Dataset<Row> runRows, int count) {
      this.runRows = runRows;
      this.count = count;
    }

    /**
     * Returns, per run that had a row, the write id it replaced (empty where it had none: an
     * upgraded store's rows). A single run changed by another writer between the read and the merge
     * is read again and switched; of many, this fails for the ones that changed.
     */
    Map<String, Optional<String>> apply() {
      for (int attempt = 1; ; attempt++) {
        try {
          create(Tables.RUNS, runRows.schema());
          addMissingColumns();
          Map<String, Optional<String>> live = live();
          long switched = merge(live);
          if (switched == count) {
            return live;
          }
          if (count > 1) {
            throw new StoreException(
                folder.name()
                    + ": table runs: "
                    + (count - switched)
                    + " of "
                    + count
                    + " runs were changed by another writer meanwhile; they keep its version");
          }
          // another writer switched the run between the read and the merge: read it again
        } catch (DeltaConcurrentModificationException e) {
          if (attempt >= ATTEMPTS) {
            throw e;
          }
        }
      }
    }

    /**
     * Adds the {@code runs} columns the table lacks (a store written before they existed, such as
     * {@code row_counts}), where another writer has not added them meanwhile.
     */
    private void addMissingColumns() {
      List<String> have = List.of(raw(Tables.RUNS).columns());
      List<String> missing = new ArrayList<>();
      for (StructField f : runRows.schema().fields()) {
        if (!have.contains(f.name())) {
          missing.add(f.name() + " " + f.dataType().sql());
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      try {
        spark.sql(
            "ALTER TABLE delta.`"
                + folder.table(Tables.RUNS).toString().replace("`", "``")
                + "` ADD COLUMNS ("
                + String.join(", ", missing)
                + ")");
      } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
        if (List.of(raw(Tables.RUNS).columns()).size() == have.size()) {
          throw e; // not another writer adding them first
        }
      }
    }

    /** The write id each of these runs' rows names now, for the runs that have a row. */
    private Map<String, Optional<String>> live() {
      Map<String, Optional<String>> live = new HashMap<>();
      for (Row row :
          raw(Tables.RUNS)
              .join(runRows.select(Tables.RUN_ID), Tables.RUN_ID, "left_semi")
              .select(Tables.RUN_ID, WRITE_ID)
              .collectAsList()) {
        live.put(row.getString(0), Optional.ofNullable(row.getString(1)));
      }
      return live;
    }

    /** The merge, switching a run only if its row names the write read; returns how many did. */
    private long merge(Map<String, Optional<String>> live) {
      List<Row> expected = new ArrayList<>();
      live.forEach((run, write) -> expected.add(RowFactory.create(run, write.orElse(null))));
      StructType schema = new StructType().add(Tables.RUN_ID, "string").add(REPLACED, "string");
      Dataset<Row> source =
          runRows
              .join(
                  functions.broadcast(spark.createDataFrame(expected, schema)).as("e"),
                  runRows.col(Tables.RUN_ID).equalTo(col("e." + Tables.RUN_ID)),
                  "left")
              .select(
                  runRows.col("*"),
                  col("e." + Tables.RUN_ID).isNotNull().as(KNOWN),
                  col("e." + REPLACED).as(REPLACED));
      Map<String, String> set = new LinkedHashMap<>();
      for (String column : runRows.columns()) {
        set.put(column, "s." + column);
      }
      Row metrics =
          DeltaTable.forPath(spark, folder.table(Tables.RUNS).toString())
              .as("t")
              .merge(source.as("s"), "t." + Tables.RUN_ID + " = s." + Tables.RUN_ID)
              .whenMatched("s." + KNOWN + " AND t." + WRITE_ID + " <=> s." + REPLACED)
              .updateExpr(set)
              .whenNotMatched("NOT s." + KNOWN)
              .insertExpr(set)
              .execute()
              .first();
      return metrics.getLong(0);
    }
  }

  /**
   * Deletes the rows of the replaced writes (run id and write id, both plain names: checked run
   * ids, UUIDs) in one commit.
   */
  private Void deleteWrites(String table, Map<String, Optional<String>> replaced) {
    List<String> each = new ArrayList<>();
    replaced.forEach(
        (run, write) ->
            each.add(
                "("
                    + Tables.RUN_ID
                    + " = '"
                    + run
                    + "' AND "
                    + write.map(id -> WRITE_ID + " = '" + id + "'").orElse(WRITE_ID + " IS NULL")
                    + ")"));
    DeltaTable.forPath(spark, folder.table(table).toString()).delete(String.join(" OR ", each));
    return null;
  }

  /** Runs one commit, again where a concurrent commit got in first; failures name the store. */
  private <T> T guarded(String table, String what, java.util.function.Supplier<T> commit) {
    for (int attempt = 1; ; attempt++) {
      try {
        return commit.get();
      } catch (DeltaConcurrentModificationException e) {
        if (attempt >= ATTEMPTS) {
          throw failure(table, "cannot write " + what, e);
        }
      } catch (StoreException e) {
        throw e;
      } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
        throw failure(table, "cannot write " + what, e);
      }
    }
  }

  private StoreException failure(String table, String what, Throwable e) {
    return new StoreException(
        folder.name() + ": table " + table + ": " + what + ": " + HadoopFiles.describe(io(e)), e);
  }

  /**
   * The file system's own failure where Spark wrapped one (a task's write that found the disk full:
   * "No space left on device"), else {@code e}.
   */
  private static Throwable io(Throwable e) {
    Throwable found = e;
    for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof java.io.IOException && c.getMessage() != null) {
        found = c;
      }
    }
    return found;
  }

  private static void stepDone() {
    if (STEPS.incrementAndGet() == HALT_AFTER) {
      Runtime.getRuntime().halt(HALTED);
    }
  }
}
