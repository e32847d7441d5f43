package io.deltascope.results;

import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The results store's tables and their columns, in one place. Beans name fields in camel case;
 * stored columns are snake case ({@code relative_delta}) so that SQL reads naturally.
 */
public final class Tables {
  private Tables() {}

  /** Bumped whenever a table gains, loses or changes a column. */
  public static final int SCHEMA_VERSION = 1;

  public static final String RUNS = "runs";
  public static final String TENSOR_METRICS = "tensor_metrics";
  public static final String RUN_ID = "run_id";
  public static final String ACTIVATION_METRICS = "activation_metrics";
  public static final String LOGIT_LENS = "logit_lens";

  public static final List<String> RUNS_COLUMNS =
      List.of(
          "run_id",
          "command",
          "base",
          "finetuned",
          "started_at",
          "finished_at",
          "tool_version",
          "options",
          "status",
          "error");

  public static final List<String> TENSOR_METRICS_COLUMNS =
      List.of(
          "run_id",
          "name",
          "layer",
          "component",
          "status",
          "shape_base",
          "shape_finetuned",
          "dtype_base",
          "dtype_finetuned",
          "n_params",
          "norm_base",
          "norm_finetuned",
          "l2_distance",
          "relative_delta",
          "cosine",
          "max_abs_diff",
          "mean_abs_diff",
          "sparsity",
          "zero_fraction",
          "nan_count",
          "inf_count");

  public static final List<String> ACTIVATION_METRICS_COLUMNS =
      List.of(
          "run_id",
          "prompt_index",
          "prompt",
          "num_tokens",
          "layer",
          "cosine_last_token",
          "cosine_all_tokens",
          "divergence");

  public static final List<String> LOGIT_LENS_COLUMNS =
      List.of(
          "run_id",
          "model_index",
          "model",
          "prompt_index",
          "prompt",
          "layer",
          "rank",
          "token_id",
          "token",
          "prob",
          "tracked");

  private static final Pattern CAMEL = Pattern.compile("([a-z0-9])([A-Z])");

  /** "relativeDelta" to "relative_delta". */
  public static String snakeCase(String camel) {
    return CAMEL.matcher(camel).replaceAll("$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  /** A bean Dataset as a table: snake-case columns, {@code run_id} first, in the given order. */
  public static Dataset<Row> asTable(Dataset<?> beans, String runId, List<String> columns) {
    Dataset<Row> df = beans.toDF();
    for (String field : df.columns()) {
      df = df.withColumnRenamed(field, snakeCase(field));
    }
    if (!List.of(df.columns()).contains(RUN_ID)) {
      df = df.withColumn(RUN_ID, functions.lit(runId));
    }
    return df.select(columns.stream().map(Column::new).toArray(Column[]::new));
  }
}
