package io.deltascope.diagnosis;

import io.deltascope.results.TensorResult;
import io.deltascope.tensor.RankFloor;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** Changed matrices all of low numerical rank: an adapter (LoRA) merged into the weights. */
final class LoraFinding {
  private LoraFinding() {}

  /** The finding, or null when some changed matrix is not of low rank (or none changed). */
  static Finding of(PairRows rows) {
    List<TensorResult> changed = rows.changedMatrices();
    if (changed.isEmpty()
        || !changed.stream().allMatch(r -> MeasuredRank.of(r) != null && isLowRank(r))) {
      return null;
    }
    int rank = rank(rows);
    Set<Integer> ranks = changed.stream().map(MeasuredRank::of).collect(Collectors.toSet());
    List<String> components = targets(rows);
    long otherChanged =
        rows.compared().stream()
            .filter(r -> !PairRows.untouched(r) && !changed.contains(r))
            .count();
    String where =
        components.stream()
            .map(c -> c + " " + layerCoverage(rows, changed, c))
            .collect(Collectors.joining(", "));
    String detail =
        String.format(
            Locale.ROOT,
            "%s changed, each of numerical rank %s (singular values above the storage-precision"
                + " floor): %s; %s",
            Words.count(changed.size(), "matrix"),
            ranks.size() == 1 ? Integer.toString(rank) : "at most " + rank,
            where,
            otherChanged == 0
                ? "every other tensor is exactly untouched"
                : Words.count(otherChanged, "other tensor") + " also changed");
    String title =
        otherChanged == 0
            ? String.format(
                Locale.ROOT,
                "Rank-%d LoRA-like update on %s %s",
                rank,
                Words.and(components),
                commonCoverage(rows, changed, components))
            : "Low-rank update (rank ≤ " + rank + ") on " + Words.and(components);
    return Finding.notice("lora", title, detail);
  }

  /** Whether every tensor but the low-rank matrices is exactly untouched. */
  static boolean everythingElseUntouched(PairRows rows) {
    List<TensorResult> changed = rows.changedMatrices();
    return rows.compared().stream().allMatch(r -> PairRows.untouched(r) || changed.contains(r));
  }

  /** The largest measured rank ({@link MeasuredRank}) among the changed matrices. */
  static int rank(PairRows rows) {
    return rows.changedMatrices().stream()
        .map(MeasuredRank::of)
        .filter(Objects::nonNull)
        .mapToInt(Integer::intValue)
        .max()
        .orElse(0);
  }

  /** The components the update touches ("attn_q", "attn_v"): the adapter's target modules. */
  static List<String> targets(PairRows rows) {
    return rows.changedMatrices().stream()
        .map(TensorResult::component)
        .filter(Objects::nonNull)
        .distinct()
        .sorted()
        .toList();
  }

  /**
   * Low rank where it was measured and the measure leaves room to tell: a rank of at most 64 and a
   * quarter of the smaller side. From a spectrum, the numerical rank is also at most half of what
   * the floor could show for the delta's energy ({@link RankFloor#resolvable}) and the effective
   * rank (of the whole spectrum, the tail below the floor included) is within the same bound: a
   * dense bf16 fine-tune has a few dozen values above the floor but an effective rank near full; a
   * low-rank update's tail is rounding noise, far smaller. From the fast scan's rank probe, its own
   * residual check has already found the tail to be rounding.
   */
  static boolean isLowRank(TensorResult r) {
    List<Long> shape = r.shapeBase();
    long rows = shape.get(0);
    long cols = shape.stream().skip(1).reduce(1L, (x, y) -> x * y);
    long order = Math.min(rows, cols);
    long bound = Math.max(1, Math.min(64, order / 4));
    if (r.numericalRank() == null) {
      return r.rankProbe() != null && r.rankProbe() <= bound;
    }
    return r.numericalRank() <= bound
        && r.effectiveRank() != null
        && r.effectiveRank() <= bound
        && r.l2Distance() != null
        && r.rankFloor() != null
        && r.numericalRank() <= RankFloor.resolvable(r.l2Distance(), r.rankFloor(), rows, cols) / 2;
  }

  /** "in every layer (4 of 4)" or "in layers [0, 3] (2 of 4)". */
  private static String layerCoverage(PairRows rows, List<TensorResult> changed, String component) {
    Set<Integer> all = PairRows.layersOf(rows.compared(), component);
    Set<Integer> hit = PairRows.layersOf(changed, component);
    if (all.isEmpty()) {
      return "";
    }
    return hit.equals(all)
        ? "in every layer (" + hit.size() + " of " + all.size() + ")"
        : "in layers " + hit + " (" + hit.size() + " of " + all.size() + ")";
  }

  private static String commonCoverage(
      PairRows rows, List<TensorResult> changed, List<String> components) {
    boolean everywhere =
        components.stream()
            .allMatch(
                c ->
                    !PairRows.layersOf(rows.compared(), c).isEmpty()
                        && PairRows.layersOf(changed, c)
                            .equals(PairRows.layersOf(rows.compared(), c)));
    return everywhere ? "of every layer" : "of some layers";
  }
}
