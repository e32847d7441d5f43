package io.deltascope.results;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  /**
   * Bumped whenever a table gains, loses or changes a column. 3: Delta tables; {@code tensor} and
   * {@code pair} for the two meanings of {@code name}, {@code run_id} first, column comments; in
   * {@code runs} {@code profile}, {@code mean_relative_delta}, {@code kind}, {@code step_from} and
   * {@code step_to}; layers of activation_metrics and logit_lens from -1 (the embeddings). 4: in
   * {@code runs} {@code row_counts}; the embeddings' layer -1 in {@code tensor_metrics} too (was
   * null). A version 3 store is read and written as it is (its runs without counts are "not
   * recorded"); its first write marks it 4, so that an older deltascope, which would replace a run
   * and keep its stale counts, refuses it.
   */
  public static final int SCHEMA_VERSION = 4;

  /** The first schema version of Delta tables; older stores are plain Parquet. */
  public static final int FIRST_DELTA_VERSION = 3;

  /** The {@code runs} column of the rows each run wrote per table (table to count). */
  public static final String ROW_COUNTS = "row_counts";

  /**
   * Per table, the columns an older schema named otherwise (old name to current name): {@code
   * deltascope store upgrade} renames them; a current column an old table lacks it adds as null.
   */
  public static final Map<String, Map<String, String>> RENAMED =
      Map.of(
          "tensor_metrics", Map.of("name", "tensor"),
          "spectra", Map.of("name", "tensor"),
          "runs", Map.of("name", "pair"));

  public static final String RUNS = "runs";
  public static final String TENSOR_METRICS = "tensor_metrics";
  public static final String RUN_ID = "run_id";
  public static final String SPECTRA = "spectra";

  /** The tensor's name in {@code tensor_metrics} and {@code spectra}. */
  public static final String TENSOR = "tensor";

  /** Every singular value of every delta: one row per value, index 0 the largest. */
  public static final List<String> SPECTRA_COLUMNS = List.of(RUN_ID, TENSOR, "index", "value");

  public static final String ACTIVATION_METRICS = "activation_metrics";

  /**
   * Cosine of the residuals at the last position: the activation_metrics column, and the JSON key
   * for it (per layer averaged over prompts, per prompt by layer).
   */
  public static final String COSINE_LAST_TOKEN = "cosine_last_token";

  /** Cosine of the residuals averaged over positions, stored and in JSON under this name. */
  public static final String COSINE_ALL_TOKENS = "cosine_all_tokens";

  public static final String LOGIT_LENS = "logit_lens";
  public static final String TOKEN_METRICS = "token_metrics";

  public static final List<String> RUNS_COLUMNS =
      List.of(
          RUN_ID,
          "pair",
          "batch_id",
          "step_from",
          "step_to",
          "command",
          "base",
          "finetuned",
          "started_at",
          "finished_at",
          "tool_version",
          "options",
          "status",
          "error",
          "profile",
          "mean_relative_delta",
          "kind",
          "diagnosis",
          ROW_COUNTS);

  /** The columns that describe a tensor, before its metrics. */
  private static final List<String> TENSOR_COLUMNS =
      List.of(
          RUN_ID,
          TENSOR,
          "layer",
          "component",
          "status",
          "shape_base",
          "shape_finetuned",
          "dtype_base",
          "dtype_finetuned");

  /** The columns that say whether and how a spectrum was computed, before its metrics. */
  private static final List<String> SPECTRUM_COLUMNS =
      List.of("spectrum_status", "spectrum_method", "singular_values_top");

  /** The tensor columns, then the registry's metrics: the delta's, then the spectrum's. */
  public static final List<String> TENSOR_METRICS_COLUMNS =
      java.util.stream.Stream.of(
              TENSOR_COLUMNS.stream(),
              Metric.of(Metric.Source.DELTA).stream().map(Metric::column),
              SPECTRUM_COLUMNS.stream(),
              Metric.of(Metric.Source.SPECTRUM).stream().map(Metric::column))
          .flatMap(s -> s)
          .toList();

  public static final List<String> ACTIVATION_METRICS_COLUMNS =
      List.of(
          RUN_ID,
          "prompt_index",
          "prompt",
          "num_tokens",
          "layer",
          COSINE_LAST_TOKEN,
          COSINE_ALL_TOKENS,
          "divergence");

  public static final List<String> LOGIT_LENS_COLUMNS =
      List.of(
          RUN_ID,
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

  /** logit-diff: one row per position of every prompt or window. */
  public static final List<String> TOKEN_METRICS_COLUMNS =
      List.of(
          "run_id",
          "prompt_index",
          "position",
          "token_id",
          "token",
          "next_token_id",
          "next_token",
          "kl_divergence",
          "top1_base",
          "top1_finetuned",
          "top1_agree",
          "logprob_base",
          "logprob_finetuned",
          "top_ids_base",
          "top_probs_base",
          "top_ids_finetuned",
          "top_probs_finetuned");

  /** Bean properties stored under another column name: the column's name to the property's. */
  private static final Map<String, String> PROPERTY_OF = Map.of(TENSOR, "name");

  /** The full spectra of {@code rows} as the {@value #SPECTRA} table. */
  public static Dataset<Row> spectra(
      org.apache.spark.sql.SparkSession spark, List<TensorMetricsRow> rows, String runId) {
    List<Row> values = new java.util.ArrayList<>();
    for (TensorMetricsRow r : rows) {
      if (r.hasSpectrum()) {
        List<Double> s = r.getSingularValues();
        for (int i = 0; i < s.size(); i++) {
          values.add(org.apache.spark.sql.RowFactory.create(runId, r.getName(), i, s.get(i)));
        }
      }
    }
    return ColumnComments.described(spark.createDataFrame(values, SPECTRA_SCHEMA), SPECTRA);
  }

  private static final org.apache.spark.sql.types.StructType SPECTRA_SCHEMA =
      new org.apache.spark.sql.types.StructType()
          .add(RUN_ID, org.apache.spark.sql.types.DataTypes.StringType, false)
          .add(TENSOR, org.apache.spark.sql.types.DataTypes.StringType, false)
          .add("index", org.apache.spark.sql.types.DataTypes.IntegerType, false)
          .add("value", org.apache.spark.sql.types.DataTypes.DoubleType, false);

  /** The current schema of a table of the store, where deltascope writes it. */
  public static java.util.Optional<org.apache.spark.sql.types.StructType> schema(
      org.apache.spark.sql.SparkSession spark, String table) {
    return java.util.Optional.ofNullable(
        switch (table) {
          case RUNS -> empty(spark, table, RunRow.ENCODER, RUNS_COLUMNS);
          case TENSOR_METRICS ->
              empty(spark, table, TensorMetricsRow.ENCODER, TENSOR_METRICS_COLUMNS);
          case SPECTRA -> SPECTRA_SCHEMA;
          case ACTIVATION_METRICS ->
              empty(spark, table, ActivationMetricsRow.ENCODER, ACTIVATION_METRICS_COLUMNS);
          case LOGIT_LENS -> empty(spark, table, LogitLensRow.ENCODER, LOGIT_LENS_COLUMNS);
          case TOKEN_METRICS -> empty(spark, table, TokenMetricsRow.ENCODER, TOKEN_METRICS_COLUMNS);
          default -> null;
        });
  }

  private static <T> org.apache.spark.sql.types.StructType empty(
      org.apache.spark.sql.SparkSession spark,
      String table,
      org.apache.spark.sql.Encoder<T> encoder,
      List<String> columns) {
    return asTable(spark.createDataset(List.of(), encoder), table, "", columns).schema();
  }

  /**
   * A bean Dataset as a table: each stored column taken from the bean property of the same name but
   * for case and underscores ({@code relative_delta} from {@code relativeDelta}, {@code n_params}
   * from the {@code NParams} Spark derives for {@code getNParams}), {@code run_id} first, each
   * column with its comment ({@link ColumnComments}).
   */
  public static Dataset<Row> asTable(
      Dataset<?> beans, String table, String runId, List<String> columns) {
    Dataset<Row> df = beans.toDF();
    Map<String, String> fields = new HashMap<>();
    for (String field : df.columns()) {
      fields.put(key(field), field);
    }
    List<Column> selected = new ArrayList<>();
    for (String column : columns) {
      String field = fields.get(key(PROPERTY_OF.getOrDefault(column, column)));
      if (field != null) {
        selected.add(df.col(field).as(column));
      } else if (column.equals(RUN_ID)) {
        selected.add(functions.lit(runId).as(RUN_ID));
      } else {
        throw new IllegalArgumentException(
            "table column " + column + " has no bean property among " + fields.values());
      }
    }
    return ColumnComments.described(df.select(selected.toArray(Column[]::new)), table);
  }

  /** The bean property a stored column reads, for readers that turn rows back into beans. */
  public static String propertyKey(String column) {
    return key(PROPERTY_OF.getOrDefault(column, column));
  }

  private static String key(String name) {
    return name.replace("_", "").toLowerCase(Locale.ROOT);
  }
}
