package io.deltascope.diff;

import io.deltascope.results.Metric;
import io.deltascope.results.TensorResult;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The headline numbers of a weight diff, over the tensors with metrics.
 *
 * @param tensorsTotal tensor names across both checkpoints
 * @param tensorsCompared tensors with metrics
 * @param structuralChanges added, removed, reshaped and retyped tensors
 * @param paramsCompared elements compared
 * @param unchangedTensors compared tensors that are exactly equal
 * @param meanMatrixRelativeDelta the headline mean: unweighted mean of relative_delta over the
 *     compared 2-D weight matrices (embeddings and head included), the number the summary, the
 *     diagnosis profile and the report card show; null when there is no such matrix
 * @param matricesAveraged how many matrices that mean is over
 * @param totalL2Distance sqrt(sum of l2_distance^2) over compared tensors: ||B - A|| of the model
 * @param meanL2Distance unweighted mean of l2_distance over compared tensors
 * @param maxAbsDiff the largest max_abs_diff
 * @param meanEffectiveRank unweighted mean of effective_rank over the tensors with a spectrum
 * @param meanCosine unweighted mean of cosine over compared tensors (null when none has one)
 * @param maxRelativeDelta the largest relative_delta (null when none)
 * @param mostChanged the tensor with the largest relative_delta (null when none)
 * @param nanCount positions with NaN, over all tensors
 * @param infCount positions with infinities, over all tensors
 */
public record Summary(
    int tensorsTotal,
    int tensorsCompared,
    int structuralChanges,
    long paramsCompared,
    int unchangedTensors,
    Double meanMatrixRelativeDelta,
    int matricesAveraged,
    Double totalL2Distance,
    Double meanL2Distance,
    Double maxAbsDiff,
    Double meanEffectiveRank,
    Double meanCosine,
    Double maxRelativeDelta,
    String mostChanged,
    long nanCount,
    long infCount) {

  public static Summary of(List<TensorResult> rows, Structural structural) {
    List<TensorResult> compared = rows.stream().filter(TensorResult::hasMetrics).toList();
    List<TensorResult> matrices = compared.stream().filter(Summary::isAveraged).toList();
    TensorResult most =
        compared.stream()
            .filter(r -> r.relativeDelta() != null)
            .max(Comparator.comparingDouble(TensorResult::relativeDelta))
            .orElse(null);
    return new Summary(
        rows.size(),
        compared.size(),
        structural.changeCount(),
        compared.stream().mapToLong(TensorResult::nParams).sum(),
        (int) compared.stream().filter(r -> r.zeroFraction() == 1.0).count(),
        Metric.RELATIVE_DELTA.mean(matrices),
        matrices.size(),
        Metric.L2_DISTANCE.aggregate(compared),
        Metric.L2_DISTANCE.mean(compared),
        Metric.MAX_ABS_DIFF.aggregate(compared),
        Metric.EFFECTIVE_RANK.mean(compared),
        Metric.COSINE.mean(compared),
        most == null ? null : most.relativeDelta(),
        most == null ? null : most.name(),
        compared.stream().mapToLong(TensorResult::nanCount).sum(),
        compared.stream().mapToLong(TensorResult::infCount).sum());
  }

  /**
   * The seed tools' headline totals, each defined once: the JSON key, the words the terminal and
   * the report card print, and the value. Every output lists them from here, in this order.
   */
  public enum Total {
    TOTAL_L2_DISTANCE("total_l2_distance", "total L2 distance", Summary::totalL2Distance),
    MEAN_L2_DISTANCE("mean_l2_distance", "mean L2 distance", Summary::meanL2Distance),
    MAX_ABS_DIFF("max_abs_diff", "max abs difference", Summary::maxAbsDiff),
    MEAN_EFFECTIVE_RANK("mean_effective_rank", "mean effective rank", Summary::meanEffectiveRank),
    MEAN_COSINE("mean_cosine", "mean cosine", Summary::meanCosine);

    private final String key;
    private final String label;
    private final java.util.function.Function<Summary, Double> value;

    Total(String key, String label, java.util.function.Function<Summary, Double> value) {
      this.key = key;
      this.label = label;
      this.value = value;
    }

    /** The JSON key (in {@code summary}). */
    public String key() {
      return key;
    }

    /** What a person reads. */
    public String label() {
      return label;
    }

    /** The summary's value; null where there is none. */
    public Double of(Summary s) {
      return value.apply(s);
    }
  }

  /** What the headline mean averages, in words. */
  public String meanOf() {
    return String.format(
        Locale.ROOT,
        "unweighted mean of relative_delta over the %d compared 2-D weight matrices (embeddings"
            + " and head included)",
        matricesAveraged);
  }

  /** A 2-D (or higher) tensor with a relative change: what the headline mean averages. */
  static boolean isAveraged(TensorResult r) {
    List<Long> shape = r.shapeBase() != null ? r.shapeBase() : r.shapeFinetuned();
    return shape != null && shape.size() >= 2 && r.relativeDelta() != null;
  }
}
