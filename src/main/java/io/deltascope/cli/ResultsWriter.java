package io.deltascope.cli;

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
    RunRow run = new RunRow();
    run.setRunId(runId);
    run.setCommand("weight-diff");
    run.setBase(result.base());
    run.setFinetuned(result.finetuned());
    run.setStartedAt(new Timestamp(startedMillis));
    run.setFinishedAt(new Timestamp(System.currentTimeMillis()));
    run.setToolVersion(Version.get());
    run.setOptions(options);
    run.setStatus("succeeded");
    run.setDiagnosis(JsonReport.diagnosis(diagnosis).toString());
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(
        Tables.TENSOR_METRICS,
        Tables.asTable(
            spark.createDataset(result.rows(), TensorMetricsRow.ENCODER),
            runId,
            Tables.TENSOR_METRICS_COLUMNS));
    tables.put(Tables.SPECTRA, Tables.spectra(spark, result.rows(), runId));
    new ResultsStore(spark, store).writeRun(run, tables);
  }
}
