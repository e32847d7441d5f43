package io.deltascope.results;

import io.deltascope.job.SparkSessions;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Runs of made-up rows written through the real writer ({@link ResultsStore#writeRun}): every row
 * of a run carries its version (the runs row's options, each tensor's relative_delta, each singular
 * value), so a reader can tell an old run from a new one and a whole run from a part of one.
 *
 * <p>Run as a program it writes runs in its own JVM (the crash and concurrency tests, the
 * benchmark): {@code STORE VERSION TENSORS RUN_ID...}.
 */
public final class SyntheticRuns {
  private SyntheticRuns() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSessions.start("local[2]", "deltascope synthetic runs");
    spark.sparkContext().setLogLevel("ERROR");
    int version = Integer.parseInt(args[1]);
    int tensors = Integer.parseInt(args[2]);
    for (int i = 3; i < args.length; i++) {
      write(spark, args[0], args[i], version, tensors);
    }
    spark.stop();
  }

  /**
   * Starts a JVM that writes {@code runIds} at {@code version} (this class's main, the test class
   * path), its output to {@code log}; {@code jvmOptions} such as the crash test's hook.
   */
  public static Process start(
      java.nio.file.Path log,
      String store,
      int version,
      int tensors,
      List<String> jvmOptions,
      String... runIds)
      throws java.io.IOException {
    List<String> command = new ArrayList<>();
    command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx768m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Dlog4j.configurationFile=" + System.getProperty("log4j.configurationFile", ""));
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SyntheticRuns.class.getName());
    command.add(store);
    command.add(Integer.toString(version));
    command.add(Integer.toString(tensors));
    command.addAll(List.of(runIds));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** Writes run {@code runId} at {@code version}: {@code tensors} tensors of 2 singular values. */
  public static void write(
      SparkSession spark, String store, String runId, int version, int tensors) {
    new ResultsStore(spark, store)
        .writeRun(run(runId, version), tables(spark, runId, version, tensors));
  }

  /**
   * Writes many runs at {@code version} in one write ({@link ResultsStore#writeRuns}: one commit
   * per table, a file or two each).
   */
  public static void writeMany(
      SparkSession spark, String store, List<String> runIds, int version, int tensors) {
    Dataset<Row> ids = spark.createDataset(runIds, Encoders.STRING()).toDF(Tables.RUN_ID);
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    tables(spark, "", version, tensors)
        .forEach(
            (name, rows) ->
                tables.put(
                    name,
                    rows.drop(Tables.RUN_ID)
                        .crossJoin(ids)
                        .select(
                            java.util.Arrays.stream(rows.columns())
                                .map(functions::col)
                                .toArray(Column[]::new))));
    List<RunRow> runs = runIds.stream().map(id -> run(id, version)).toList();
    new ResultsStore(spark, store).writeRuns(runs, tables);
  }

  /**
   * Copies a store's folder, file by file (its tables' paths are relative: the copy is a store).
   */
  public static void copyStore(java.nio.file.Path from, java.nio.file.Path to)
      throws java.io.IOException {
    try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(from)) {
      for (java.nio.file.Path p : paths.toList()) {
        java.nio.file.Path target = to.resolve(from.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.createDirectories(target);
        } else {
          java.nio.file.Files.copy(p, target);
        }
      }
    }
  }

  public static RunRow run(String runId, int version) {
    RunRow run = new RunRow();
    run.setRunId(runId);
    run.setCommand("weight-diff");
    run.setPair("pair-" + runId);
    run.setStartedAt(new Timestamp(0));
    run.setFinishedAt(new Timestamp(1));
    run.setStatus("succeeded");
    run.setOptions(Integer.toString(version));
    return run;
  }

  public static Map<String, Dataset<Row>> tables(
      SparkSession spark, String runId, int version, int tensors) {
    List<TensorMetricsRow> rows = new ArrayList<>();
    for (int t = 0; t < tensors; t++) {
      TensorMetricsRow row = new TensorMetricsRow();
      row.setName("model.layers." + t + ".mlp.down_proj.weight");
      row.setLayer(t);
      row.setComponent("mlp_down");
      row.setStatus("compared");
      row.setNParams(4L);
      row.setRelativeDelta((double) version);
      row.setSingularValues(List.of((double) version, (double) version));
      rows.add(row);
    }
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(
        Tables.TENSOR_METRICS,
        Tables.asTable(
            spark.createDataset(rows, TensorMetricsRow.ENCODER),
            Tables.TENSOR_METRICS,
            runId,
            Tables.TENSOR_METRICS_COLUMNS));
    tables.put(Tables.SPECTRA, Tables.spectra(spark, rows, runId));
    return tables;
  }
}
