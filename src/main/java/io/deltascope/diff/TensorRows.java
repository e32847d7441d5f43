package io.deltascope.diff;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorRole;
import io.deltascope.results.TensorResult;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link TensorResult}s: what is known of a tensor before its metrics, then with them. */
public final class TensorRows {
  private TensorRows() {}

  public static TensorResult of(TensorPair pair) {
    return of(pair.name(), pair.role(), pair.status(), pair.base(), pair.finetuned());
  }

  /** A compared pair's row with its metrics and rounding check (the spectrum added apart). */
  public static TensorResult of(TensorPair pair, TensorDelta delta) {
    return of(pair)
        .withMetrics(delta.metrics())
        .withOutsideRounding(delta.outsideRounding())
        .withRankProbe(delta.rankProbe());
  }

  /** A row for a tensor on one or both sides; {@code base} or {@code finetuned} may be null. */
  public static TensorResult of(
      String name, TensorRole role, TensorStatus status, TensorInfo base, TensorInfo finetuned) {
    return TensorResult.of(
        name,
        role.layer(),
        role.component(),
        status.label(),
        base == null ? null : base.shape().asList(),
        finetuned == null ? null : finetuned.shape().asList(),
        base == null ? null : base.storedType().name(),
        finetuned == null ? null : finetuned.storedType().name());
  }

  /**
   * Rows for what the plan found from headers alone: tensors on one side only, not numeric, or
   * reshaped beyond a vocabulary resize. They carry no metrics.
   */
  static List<TensorResult> structural(WeightDiffPlan plan) {
    Checkpoint base = plan.base();
    Checkpoint finetuned = plan.finetuned();
    String modelType = WeightDiffPlan.modelType(base, finetuned);
    Structural s = plan.structural();
    List<TensorResult> rows = new ArrayList<>();
    for (String name : s.onlyInBase()) {
      rows.add(
          of(
              name,
              TensorRole.of(name, modelType),
              TensorStatus.ONLY_IN_BASE,
              base.tensor(name),
              null));
    }
    for (String name : s.onlyInFinetuned()) {
      rows.add(
          of(
              name,
              TensorRole.of(name, modelType),
              TensorStatus.ONLY_IN_FINETUNED,
              null,
              finetuned.tensor(name)));
    }
    for (String name : s.notNumeric()) {
      rows.add(
          of(
              name,
              TensorRole.of(name, modelType),
              TensorStatus.NOT_NUMERIC,
              base.tensor(name),
              finetuned.tensor(name)));
    }
    for (Structural.ShapeChange c : s.shapeChanged()) {
      if (c.commonRows() == null) {
        rows.add(
            of(
                c.name(),
                TensorRole.of(c.name(), modelType),
                TensorStatus.SHAPE_CHANGED,
                base.tensor(c.name()),
                finetuned.tensor(c.name())));
      }
    }
    return rows;
  }
}
