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

  /** Bumped whenever a table gains, loses or changes a column; 3: Delta tables. */
  public static final int SCHEMA_VERSION = 3;

  /**
   * Per table, the columns an older schema named otherwise (old name to current name): {@code
   * deltascope store upgrade} renames them; a current column an old table lacks it adds as null.
   */
  public static final Map<String, Map<String, String>> RENAMED = Map.of();

  public static final String RUNS = "runs";
  public static final String TENSOR_METRICS = "tensor_metrics";
  public static final String RUN_ID = "run_id";
  public static final String SPECTRA = "spectra";

  /** Every singular value of every delta: one row per value, index 0 the largest. */
  public static final List<String> SPECTRA_COLUMNS = List.of("run_id", "name", "index", "value");

  public static final String ACTIVATION_METRICS = "activation_metrics";
  public static final String LOGIT_LENS = "logit_lens";

  public static final List<String> RUNS_COLUMNS =
      List.of(
          "run_id",
          "name",
          "batch_id",
          "command",
          "base",
          "finetuned",
          "started_at",
          "finished_at",
          "tool_version",
          "options",
          "status",
          "error",
          "diagnosis");

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
          "rmse",
          "sparsity",
          "zero_fraction",
          "nan_count",
          "inf_count",
          "spectrum_status",
          "spectrum_method",
          "singular_values_top",
          "effective_rank",
          "stable_rank",
          "numerical_rank",
          "rank_floor",
          "top_k_energy_share",
          "spectral_alpha");

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
    return spark.createDataFrame(values, SPECTRA_SCHEMA);
  }

  private static final org.apache.spark.sql.types.StructType SPECTRA_SCHEMA =
      new org.apache.spark.sql.types.StructType()
          .add(RUN_ID, org.apache.spark.sql.types.DataTypes.StringType, false)
          .add("name", org.apache.spark.sql.types.DataTypes.StringType, false)
          .add("index", org.apache.spark.sql.types.DataTypes.IntegerType, false)
          .add("value", org.apache.spark.sql.types.DataTypes.DoubleType, false);

  /** The current schema of a table of the store, where deltascope writes it. */
  public static java.util.Optional<org.apache.spark.sql.types.StructType> schema(
      org.apache.spark.sql.SparkSession spark, String table) {
    return java.util.Optional.ofNullable(
        switch (table) {
          case RUNS -> empty(spark, RunRow.ENCODER, RUNS_COLUMNS);
          case TENSOR_METRICS -> empty(spark, TensorMetricsRow.ENCODER, TENSOR_METRICS_COLUMNS);
          case SPECTRA -> SPECTRA_SCHEMA;
          case ACTIVATION_METRICS ->
              empty(spark, ActivationMetricsRow.ENCODER, ACTIVATION_METRICS_COLUMNS);
          case LOGIT_LENS -> empty(spark, LogitLensRow.ENCODER, LOGIT_LENS_COLUMNS);
          default -> null;
        });
  }

  private static <T> org.apache.spark.sql.types.StructType empty(
      org.apache.spark.sql.SparkSession spark,
      org.apache.spark.sql.Encoder<T> encoder,
      List<String> columns) {
    return asTable(spark.createDataset(List.of(), encoder), "", columns).schema();
  }

  /**
   * A bean Dataset as a table: each stored column taken from the bean property of the same name but
   * for case and underscores ({@code relative_delta} from {@code relativeDelta}, {@code n_params}
   * from the {@code NParams} Spark derives for {@code getNParams}), {@code run_id} first.
   */
  public static Dataset<Row> asTable(Dataset<?> beans, String runId, List<String> columns) {
    Dataset<Row> df = beans.toDF();
    Map<String, String> fields = new HashMap<>();
    for (String field : df.columns()) {
      fields.put(key(field), field);
    }
    List<Column> selected = new ArrayList<>();
    for (String column : columns) {
      String field = fields.get(key(column));
      if (field != null) {
        selected.add(df.col(field).as(column));
      } else if (column.equals(RUN_ID)) {
        selected.add(functions.lit(runId).as(RUN_ID));
      } else {
        throw new IllegalArgumentException(
            "table column " + column + " has no bean property among " + fields.values());
      }
    }
    return df.select(selected.toArray(Column[]::new));
  }

  private static String key(String name) {
    return name.replace("_", "").toLowerCase(Locale.ROOT);
  }
}
