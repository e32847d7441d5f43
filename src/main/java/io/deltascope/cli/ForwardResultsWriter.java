package io.deltascope.cli;

import io.deltascope.results.ActivationMetricsRow;
import io.deltascope.results.LogitLensRow;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.RunRow;
import io.deltascope.results.Tables;
import io.deltascope.results.TokenMetricsRow;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.SparkSession;

/** Writes an activation-diff, compare or logit-diff run into a results store: one table of rows. */
final class ForwardResultsWriter {
  private ForwardResultsWriter() {}

  /** The table a forward command fills: its name, its rows' encoder and its stored columns. */
  record Table<T>(String name, Encoder<T> encoder, List<String> columns) {}

  static final Table<ActivationMetricsRow> ACTIVATION_METRICS =
      new Table<>(
          Tables.ACTIVATION_METRICS,
          ActivationMetricsRow.ENCODER,
          Tables.ACTIVATION_METRICS_COLUMNS);
  static final Table<LogitLensRow> LOGIT_LENS =
      new Table<>(Tables.LOGIT_LENS, LogitLensRow.ENCODER, Tables.LOGIT_LENS_COLUMNS);
  static final Table<TokenMetricsRow> TOKEN_METRICS =
      new Table<>(Tables.TOKEN_METRICS, TokenMetricsRow.ENCODER, Tables.TOKEN_METRICS_COLUMNS);

  /** What the run's row says: the command, the two models, when it started, its options. */
  record Run(String command, String base, String finetuned, long startedMillis, String options) {}

  /**
   * The write of {@code run} with {@code rows} in {@code table}, for {@link OutputOptions#store}.
   */
  static <T> OutputOptions.RunWrite of(SparkSession spark, Run run, Table<T> table, List<T> rows) {
    return (store, runId) -> {
      RunRow row =
          ResultsWriter.run(runId, run.base(), run.finetuned(), run.startedMillis(), run.options());
      row.setCommand(run.command());
      row.setStatus("succeeded");
      var data = spark.createDataset(rows, table.encoder());
      new ResultsStore(spark, store)
          .writeRun(
              row,
              Map.of(table.name(), Tables.asTable(data, table.name(), runId, table.columns())));
    };
  }
}
