package io.deltascope.results;

import io.deltascope.checkpoint.HadoopFiles;
import io.deltascope.checkpoint.Locations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A folder of Parquet tables partitioned by {@code run_id} (a local path or any Hadoop URI).
 *
 * <p>A run is written into a staging folder first and moved into place table by table, {@code runs}
 * last: a reader sees a run's rows only once they are all there, a failed run leaves nothing
 * behind, and writing one run never touches another's partition. Writing a run id that exists
 * replaces it.
 */
public final class ResultsStore {
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final String STAGING = "_staging";
  private static final String MARKER = "_deltascope.json";

  private final SparkSession spark;
  private final Path root;

  public ResultsStore(SparkSession spark, String root) {
    this.spark = spark;
    this.root = new Path(root);
  }

  public static void checkRunId(String runId) {
    if (!RUN_ID.matcher(runId).matches()) {
      throw new IllegalArgumentException(
          "run id '" + runId + "' must be letters, digits, '.', '_' or '-' (at most 128)");
    }
  }

  /**
   * Writes one run: its tables (each with a {@code run_id} column) and then its {@code runs} row.
   *
   * @param run the run's row
   * @param tables table name to rows, written in this order
   */
  public void writeRun(RunRow run, Map<String, Dataset<Row>> tables) {
    checkRunId(run.getRunId());
    Map<String, Dataset<Row>> all = new LinkedHashMap<>(tables);
    all.put(
        Tables.RUNS,
        Tables.asTable(
            spark.createDataset(List.of(run), RunRow.ENCODER),
            Tables.RUNS,
            run.getRunId(),
            Tables.RUNS_COLUMNS));
    Path staging = new Path(new Path(root, STAGING), run.getRunId() + "-" + UUID.randomUUID());
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try {
        writeMarker(fs);
        for (Map.Entry<String, Dataset<Row>> table : all.entrySet()) {
          table
              .getValue()
              .drop(Tables.RUN_ID)
              .coalesce(1)
              .write()
              .parquet(new Path(staging, table.getKey()).toString());
        }
        for (String table : all.keySet()) {
          publish(fs, new Path(staging, table), partition(table, run.getRunId()));
        }
      } finally {
        fs.delete(staging, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          Locations.redact(root.toString())
              + ": cannot write run "
              + run.getRunId()
              + ": "
              + HadoopFiles.describe(e),
          e);
    }
  }

  /** A table of every run, as Spark reads it from its partitions: run_id first, commented. */
  public Dataset<Row> table(String name) {
    return ColumnComments.described(spark.read().parquet(new Path(root, name).toString()), name);
  }

  /**
   * Registers every table of the store as a temporary view of the same name (the folders that do
   * not start with "_" or "."); returns their names, sorted.
   */
  public List<String> registerViews() {
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        throw new IllegalArgumentException(
            Locations.redact(root.toString()) + ": no such results store");
      }
      List<String> names = new java.util.ArrayList<>();
      for (org.apache.hadoop.fs.FileStatus status : fs.listStatus(root)) {
        String name = status.getPath().getName();
        if (status.isDirectory() && !name.startsWith("_") && !name.startsWith(".")) {
          table(name).createOrReplaceTempView(name);
          names.add(name);
        }
      }
      java.util.Collections.sort(names);
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(
          Locations.redact(root.toString())
              + ": cannot list the results store: "
              + HadoopFiles.describe(e),
          e);
    }
  }

  public Path partition(String table, String runId) {
    return new Path(new Path(root, table), Tables.RUN_ID + "=" + runId);
  }

  // Moves a staged table into its partition, replacing an earlier write of the same run.
  private void publish(FileSystem fs, Path staged, Path target) throws IOException {
    fs.mkdirs(target.getParent());
    Path old = null;
    if (fs.exists(target)) {
      old = new Path(staged.getParent(), "replaced-" + target.getName());
      rename(fs, target, old);
    }
    rename(fs, staged, target);
    if (old != null) {
      fs.delete(old, true);
    }
  }

  private static void rename(FileSystem fs, Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("could not move " + from + " to " + to);
    }
  }

  private void writeMarker(FileSystem fs) throws IOException {
    Path marker = new Path(root, MARKER);
    if (fs.exists(marker)) {
      return;
    }
    fs.mkdirs(root);
    try (FSDataOutputStream out = fs.create(marker, true)) {
      out.write(
          ("{\"format\": \"deltascope results\", \"schema_version\": "
                  + Tables.SCHEMA_VERSION
                  + "}\n")
              .getBytes(StandardCharsets.UTF_8));
    }
  }
}
