package io.deltascope.diff;

import io.deltascope.results.TensorMetricsRow;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The headline numbers of a weight diff.
 *
 * @param tensorsTotal tensor names across both checkpoints
 * @param tensorsCompared tensors with metrics
 * @param structuralChanges added, removed, reshaped and retyped tensors
 * @param paramsCompared elements compared
 * @param unchangedTensors compared tensors that are exactly equal
 * @param meanRelativeDelta mean relative_delta over compared tensors (null when none has one)
 * @param meanCosine mean cosine over compared tensors (null when none has one)
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
    Double meanRelativeDelta,
    Double meanCosine,
    Double maxRelativeDelta,
    String mostChanged,
    long nanCount,
    long infCount) {

  public static Summary of(List<TensorMetricsRow> rows, Structural structural) {
    List<TensorMetricsRow> compared = rows.stream().filter(TensorMetricsRow::hasMetrics).toList();
    TensorMetricsRow most =
        compared.stream()
            .filter(r -> r.getRelativeDelta() != null)
            .max(Comparator.comparingDouble(TensorMetricsRow::getRelativeDelta))
            .orElse(null);
    return new Summary(
        rows.size(),
        compared.size(),
        structural.changeCount(),
        compared.stream().mapToLong(TensorMetricsRow::getNParams).sum(),
        (int) compared.stream().filter(r -> r.getZeroFraction() == 1.0).count(),
        mean(compared.stream().map(TensorMetricsRow::getRelativeDelta).toList()),
        mean(compared.stream().map(TensorMetricsRow::getCosine).toList()),
        most == null ? null : most.getRelativeDelta(),
        most == null ? null : most.getName(),
        compared.stream().mapToLong(TensorMetricsRow::getNanCount).sum(),
        compared.stream().mapToLong(TensorMetricsRow::getInfCount).sum());
  }

  private static Double mean(List<Double> values) {
    List<Double> present = values.stream().filter(Objects::nonNull).toList();
    return present.isEmpty()
        ? null
        : present.stream().mapToDouble(Double::doubleValue).average().getAsDouble();
  }
}
