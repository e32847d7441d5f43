package io.deltascope.cli;

import io.deltascope.results.ResultsStore;
import io.deltascope.results.RunRow;
import io.deltascope.results.Tables;
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
    RunRow run = ResultsWriter.run(runId, base, finetuned, startedMillis, options);
    run.setCommand(command);
    run.setStatus("succeeded");
    Dataset<T> data = spark.createDataset(rows, encoder);
    new ResultsStore(spark, store)
        .writeRun(run, Map.of(table, Tables.asTable(data, table, runId, columns)));
  }
}
