package io.deltascope.cli;

import io.deltascope.checkpoint.Locations;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.report.JsonReport;
import io.deltascope.report.Version;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.RunRow;
import io.deltascope.results.Tables;
import io.deltascope.results.TensorMetricsRow;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Writes a command's result into a results store as one run. */
final class ResultsWriter {
  private ResultsWriter() {}

  static void weightDiff(
      SparkSession spark,
      String store,
      String runId,
      WeightDiffResult result,
      Diagnosis diagnosis,
      long startedMillis,
      String options) {
    weightDiff(
        spark,
        store,
        run(runId, result.base(), result.finetuned(), startedMillis, options),
        result,
        diagnosis);
  }

  /** A succeeded run: its row (status and diagnosis set here) and its tables. */
  static void weightDiff(
      SparkSession spark, String store, RunRow run, WeightDiffResult result, Diagnosis diagnosis) {
    weightDiff(spark, store, run, result, diagnosis, Map.of());
  }

  /** The same, with more tables of the run (a batch's activation metrics). */
  static void weightDiff(
      SparkSession spark,
      String store,
      RunRow run,
      WeightDiffResult result,
      Diagnosis diagnosis,
      Map<String, Dataset<Row>> more) {
    run.setStatus("succeeded");
    run.setKind(diagnosis.kind());
    run.setDiagnosis(JsonReport.diagnosis(diagnosis).toString());
    run.setProfile(diagnosis.profile());
    run.setMeanRelativeDelta(result.summary().meanMatrixRelativeDelta());
    // the Parquet edge: the domain's records as Spark beans
    List<TensorMetricsRow> beans = result.rows().stream().map(TensorMetricsRow::of).toList();
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(
        Tables.TENSOR_METRICS,
        Tables.asTable(
            spark.createDataset(beans, TensorMetricsRow.ENCODER),
            Tables.TENSOR_METRICS,
            run.getRunId(),
            Tables.TENSOR_METRICS_COLUMNS));
    tables.put(Tables.SPECTRA, Tables.spectra(spark, beans, run.getRunId()));
    tables.putAll(more);
    new ResultsStore(spark, store).writeRun(run, tables);
  }

  /** A failed run: its row alone, with the error, so the store says what happened. */
  static void failed(SparkSession spark, String store, RunRow run, String error) {
    run.setStatus("failed");
    run.setError(error);
    new ResultsStore(spark, store).writeRun(run, Map.of());
  }

  /** A weight-diff run's row, locations stored without credentials; finished now. */
  static RunRow run(
      String runId, String base, String finetuned, long startedMillis, String options) {
    RunRow run = new RunRow();
    run.setRunId(runId);
    run.setCommand("weight-diff");
    run.setBase(Locations.redact(base));
    run.setFinetuned(Locations.redact(finetuned));
    run.setStartedAt(new Timestamp(startedMillis));
    run.setFinishedAt(new Timestamp(System.currentTimeMillis()));
    run.setToolVersion(Version.get());
    run.setOptions(options);
    return run;
  }
}
