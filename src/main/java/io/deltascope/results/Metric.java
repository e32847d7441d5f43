package io.deltascope.results;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every per-tensor metric, defined once: its stored name (the {@code tensor_metrics} column, the
 * JSON key, the {@code --fail-if} and {@code --sort} name), how it aggregates over several tensors,
 * what it means (the column's comment, the help), whether a gate may use it, and how it prints.
 * Parquet columns, JSON, {@code --fail-if}, the terminal's per-tensor table and the HTML table all
 * read this list; a new metric is one constant here plus its computation ({@code
 * tensor/DeltaAccumulator} or {@code tensor/Spectrum}) and its bean field.
 */
public enum Metric {
  N_PARAMS(
      "n_params",
      Source.DELTA,
      Aggregation.SUM,
      Format.COUNT,
      false,
      "Params",
      "params",
      "elements compared",
      TensorResult::nParams),
  NORM_BASE(
      "norm_base",
      Source.DELTA,
      Aggregation.ROOT_SUM_OF_SQUARES,
      Format.DECIMAL,
      true,
      "Base norm",
      "||A||",
      "||A||, the base's Frobenius norm over the positions where both sides are finite; null when"
          + " there are none",
      TensorResult::normBase),
  NORM_FINETUNED(
      "norm_finetuned",
      Source.DELTA,
      Aggregation.ROOT_SUM_OF_SQUARES,
      Format.DECIMAL,
      true,
      "Fine-tune norm",
      "||B||",
      "||B||, the fine-tune's Frobenius norm over the positions where both sides are finite; null"
          + " when there are none",
      TensorResult::normFinetuned),
  L2_DISTANCE(
      "l2_distance",
      Source.DELTA,
      Aggregation.ROOT_SUM_OF_SQUARES,
      Format.DECIMAL,
      true,
      "L2 distance",
      "L2",
      "||B - A|| over the positions where both sides are finite; null when there are none",
      TensorResult::l2Distance),
  RELATIVE_DELTA(
      "relative_delta",
      Source.DELTA,
      Aggregation.RELATIVE,
      Format.DECIMAL,
      true,
      "Relative change",
      "rel.change",
      "||B - A|| / ||A||; null when ||A|| = 0 or no position has both sides finite",
      TensorResult::relativeDelta),
  COSINE(
      "cosine",
      Source.DELTA,
      Aggregation.MEAN,
      Format.DECIMAL,
      true,
      "Cosine",
      "cosine",
      "cosine of the flattened tensors; null when a norm is 0 or no position has both sides"
          + " finite",
      TensorResult::cosine),
  MAX_ABS_DIFF(
      "max_abs_diff",
      Source.DELTA,
      Aggregation.MAX,
      Format.DECIMAL,
      true,
      "Max |\u0394|",
      "max|d|",
      "max |B - A| over the positions where both sides are finite",
      TensorResult::maxAbsDiff),
  MEAN_ABS_DIFF(
      "mean_abs_diff",
      Source.DELTA,
      Aggregation.MEAN,
      Format.DECIMAL,
      true,
      "Mean |\u0394|",
      "mean|d|",
      "mean |B - A| over the positions where both sides are finite",
      TensorResult::meanAbsDiff),
  RMSE(
      "rmse",
      Source.DELTA,
      Aggregation.MEAN,
      Format.DECIMAL,
      true,
      "RMSE",
      "rmse",
      "root mean square of B - A over the positions where both sides are finite",
      TensorResult::rmse),
  SPARSITY(
      "sparsity",
      Source.DELTA,
      Aggregation.MEAN,
      Format.PERCENT,
      true,
      "Sparsity",
      "sparsity",
      "fraction of the positions where both sides are finite with |B - A| < 1e-5",
      TensorResult::sparsity),
  ZERO_FRACTION(
      "zero_fraction",
      Source.DELTA,
      Aggregation.MEAN,
      Format.PERCENT,
      true,
      "Unchanged",
      "unchanged",
      "fraction of positions exactly equal on both sides",
      TensorResult::zeroFraction),
  NAN_COUNT(
      "nan_count",
      Source.DELTA,
      Aggregation.SUM,
      Format.COUNT,
      true,
      "NaN",
      "nan",
      "positions where either side is NaN",
      TensorResult::nanCount),
  INF_COUNT(
      "inf_count",
      Source.DELTA,
      Aggregation.SUM,
      Format.COUNT,
      true,
      "Inf",
      "inf",
      "positions where either side is infinite (and neither is NaN)",
      TensorResult::infCount),
  EFFECTIVE_RANK(
      "effective_rank",
      Source.SPECTRUM,
      Aggregation.MEAN,
      Format.DECIMAL,
      true,
      "Effective rank",
      "eff.rank",
      "exp of the entropy of the delta's normalised singular values (Roy and Vetterli)",
      TensorResult::effectiveRank),
  STABLE_RANK(
      "stable_rank",
      Source.SPECTRUM,
      Aggregation.MEAN,
      Format.DECIMAL,
      true,
      "Stable rank",
      "stable",
      "sum of s^2 / s_max^2 of the delta",
      TensorResult::stableRank),
  NUMERICAL_RANK(
      "numerical_rank",
      Source.SPECTRUM,
      Aggregation.MAX,
      Format.COUNT,
      true,
      "Numerical rank",
      "rank",
      "singular values of the delta above rank_floor",
      TensorResult::numericalRank),
  RANK_FLOOR(
      "rank_floor",
      Source.SPECTRUM,
      Aggregation.MAX,
      Format.DECIMAL,
      false,
      "Rank floor",
      "floor",
      "the storage and arithmetic noise floor below which a singular value does not count",
      TensorResult::rankFloor),
  TOP_K_ENERGY_SHARE(
      "top_k_energy_share",
      Source.SPECTRUM,
      Aggregation.MEAN,
      Format.DECIMAL,
      true,
      "Top-k energy share",
      "top-k",
      "share of the delta's energy (sum of s^2) in its top k singular values",
      TensorResult::topKEnergyShare),
  SPECTRAL_ALPHA(
      "spectral_alpha",
      Source.SPECTRUM,
      Aggregation.MEAN,
      Format.DECIMAL,
      true,
      "Spectral \u03b1",
      "alpha",
      "minus the slope of log s_i against log i over the delta's spectrum",
      TensorResult::spectralAlpha);

  /** Where a metric is computed. */
  public enum Source {
    /** One pass over both tensors' values ({@code tensor/DeltaAccumulator}). */
    DELTA,
    /** The singular values of B - A ({@code tensor/Spectrum}); 2-D deltas only. */
    SPECTRUM
  }

  /** How a metric combines over several tensors (a layer, a component, the whole pair). */
  public enum Aggregation {
    SUM,
    /** sqrt(sum of squares): the norm of the tensors taken together. */
    ROOT_SUM_OF_SQUARES,
    /** sqrt(sum l2^2) / sqrt(sum norm_base^2): the relative change of the tensors together. */
    RELATIVE,
    MAX,
    /** Unweighted mean over the tensors that have a value. */
    MEAN
  }

  /** How a value prints. */
  public enum Format {
    DECIMAL,
    PERCENT,
    COUNT
  }

  /** The columns of the per-tensor table on the terminal and in the HTML report, in order. */
  public static final List<Metric> TABLE =
      List.of(
          RELATIVE_DELTA,
          COSINE,
          L2_DISTANCE,
          MAX_ABS_DIFF,
          MEAN_ABS_DIFF,
          EFFECTIVE_RANK,
          TOP_K_ENERGY_SHARE,
          SPARSITY);

  private final String column;
  private final Source source;
  private final Aggregation aggregation;
  private final Format format;
  private final boolean gateable;
  private final String label;
  private final String header;
  private final String description;
  private final Function<TensorResult, Number> value;

  Metric(
      String column,
      Source source,
      Aggregation aggregation,
      Format format,
      boolean gateable,
      String label,
      String header,
      String description,
      Function<TensorResult, Number> value) {
    this.column = column;
    this.source = source;
    this.aggregation = aggregation;
    this.format = format;
    this.gateable = gateable;
    this.label = label;
    this.header = header;
    this.description = description;
    this.value = value;
  }

  /** The stored name: column, JSON key and the name options take. */
  public String column() {
    return column;
  }

  public Source source() {
    return source;
  }

  public Aggregation aggregation() {
    return aggregation;
  }

  public Format format() {
    return format;
  }

  /** Whether {@code --fail-if} may test it. */
  public boolean gateable() {
    return gateable;
  }

  /** The name a person reads (the HTML table's header). */
  public String label() {
    return label;
  }

  /** The terminal table's short header. */
  public String header() {
    return header;
  }

  public String description() {
    return description;
  }

  /** Whether values are whole numbers (counts and ranks). */
  public boolean integral() {
    return format == Format.COUNT;
  }

  /** The row's value; null where it has none. */
  public Number of(TensorResult row) {
    return value.apply(row);
  }

  /** The row's value as a double; null where it has none. */
  public Double doubleOf(TensorResult row) {
    Number n = of(row);
    return n == null ? null : n.doubleValue();
  }

  /** The metric of this stored name. */
  public static Optional<Metric> named(String column) {
    String key = column.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(m -> m.column.equals(key)).findFirst();
  }

  /** The names {@code --fail-if} accepts, in registry order. */
  public static List<String> gateableNames() {
    return Arrays.stream(values()).filter(Metric::gateable).map(Metric::column).toList();
  }

  /** The metrics of one source, in registry order. */
  public static List<Metric> of(Source source) {
    return Arrays.stream(values()).filter(m -> m.source == source).toList();
  }

  /**
   * The metric over several tensors, as its {@link Aggregation} says; null when no row has a value.
   */
  public Double aggregate(List<TensorResult> rows) {
    List<Double> values = values(rows);
    if (values.isEmpty()) {
      return null;
    }
    return switch (aggregation) {
      case SUM -> values.stream().mapToDouble(Double::doubleValue).sum();
      case ROOT_SUM_OF_SQUARES -> Math.sqrt(values.stream().mapToDouble(v -> v * v).sum());
      case MAX -> values.stream().mapToDouble(Double::doubleValue).max().getAsDouble();
      case MEAN -> mean(rows);
      case RELATIVE -> relative(rows);
    };
  }

  /** The unweighted mean over the rows that have a value; null when none has. */
  public Double mean(List<TensorResult> rows) {
    List<Double> values = values(rows);
    return values.isEmpty()
        ? null
        : values.stream().mapToDouble(Double::doubleValue).average().getAsDouble();
  }

  private List<Double> values(List<TensorResult> rows) {
    return rows.stream().map(this::doubleOf).filter(Objects::nonNull).toList();
  }

  // sqrt(sum l2^2) / sqrt(sum norm_base^2) over the rows that have both
  private static Double relative(List<TensorResult> rows) {
    double l2 = 0;
    double base = 0;
    for (TensorResult r : rows) {
      if (r.l2Distance() != null && r.normBase() != null) {
        l2 += r.l2Distance() * r.l2Distance();
        base += r.normBase() * r.normBase();
      }
    }
    return base > 0 ? Math.sqrt(l2) / Math.sqrt(base) : null;
  }
}
