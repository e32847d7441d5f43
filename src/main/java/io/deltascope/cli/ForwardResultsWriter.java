package io.deltascope.cli;

import io.deltascope.report.Version;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.RunRow;
import io.deltascope.results.Tables;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.SparkSession;

/** Writes an activation-diff or compare run into a results store. */
final class ForwardResultsWriter {
  private ForwardResultsWriter() {}

  static <T> void write(
      SparkSession spark,
      String store,
      String runId,
      String command,
      String base,
      String finetuned,
      long startedMillis,
      String options,
      String table,
      List<T> rows,
      Encoder<T> encoder,
      List<String> columns) {
    RunRow run = new RunRow();
    run.setRunId(runId);
    run.setCommand(command);
    run.setBase(base);
    run.setFinetuned(finetuned);
    run.setStartedAt(new Timestamp(startedMillis));
    run.setFinishedAt(new Timestamp(System.currentTimeMillis()));
    run.setToolVersion(Version.get());
    run.setOptions(options);
    run.setStatus("succeeded");
    Dataset<T> data = spark.createDataset(rows, encoder);
    new ResultsStore(spark, store)
        .writeRun(run, Map.of(table, Tables.asTable(data, runId, columns)));
  }
}
