package io.deltascope.diagnosis;

import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorResult;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The rows a diagnosis reads: those with metrics, and among them the 2-D weight matrices. */
record PairRows(
    WeightDiffResult result,
    PairFacts facts,
    List<TensorResult> compared,
    List<TensorResult> matrices) {

  static PairRows of(WeightDiffResult result, PairFacts facts) {
    List<TensorResult> compared = result.rows().stream().filter(TensorResult::hasMetrics).toList();
    List<TensorResult> matrices =
        compared.stream().filter(r -> rank(r) >= 2 && r.relativeDelta() != null).toList();
    return new PairRows(result, facts, compared, matrices);
  }

  /** Whether any tensor value was read (false for a structure-only run). */
  boolean valuesRead() {
    return !compared.isEmpty();
  }

  /** The matrices whose delta is not exactly zero. */
  List<TensorResult> changedMatrices() {
    return matrices.stream().filter(r -> !untouched(r)).toList();
  }

  /** The headline mean relative change: the summary's, one definition for every output. */
  Double meanRelativeDelta() {
    return result.summary().meanMatrixRelativeDelta();
  }

  String meanOf() {
    return result.summary().meanOf();
  }

  static boolean untouched(TensorResult r) {
    return r.zeroFraction() != null && r.zeroFraction() == 1.0;
  }

  static boolean isNorm(String component) {
    return component.startsWith("norm") || component.contains("_norm");
  }

  /** The input embeddings or the output head: the tensors a vocabulary resize reshapes. */
  static boolean isVocabulary(String component) {
    return "embed".equals(component) || "lm_head".equals(component);
  }

  static int rank(TensorResult r) {
    List<Long> shape = r.shapeBase() != null ? r.shapeBase() : r.shapeFinetuned();
    return shape == null ? 0 : shape.size();
  }

  static Set<Integer> layersOf(List<TensorResult> rows, String component) {
    return rows.stream()
        .filter(r -> component.equals(r.component()) && r.layer() != null)
        .map(TensorResult::layer)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
