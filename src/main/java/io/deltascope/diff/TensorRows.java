package io.deltascope.diff;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorRole;
import io.deltascope.results.TensorMetricsRow;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link TensorMetricsRow}s: what is known of a tensor before its metrics. */
public final class TensorRows {
  private TensorRows() {}

  public static TensorMetricsRow of(TensorPair pair) {
    return of(pair.name(), pair.role(), pair.status(), pair.base(), pair.finetuned());
  }

  /** A compared pair's row with its metrics and rounding check (the spectrum added apart). */
  public static TensorMetricsRow of(TensorPair pair, TensorDelta delta) {
    TensorMetricsRow row = of(pair).withMetrics(delta.metrics());
    row.setOutsideRounding(delta.outsideRounding());
    return row;
  }

  /** A row for a tensor on one or both sides; {@code base} or {@code finetuned} may be null. */
  public static TensorMetricsRow of(
      String name, TensorRole role, TensorStatus status, TensorInfo base, TensorInfo finetuned) {
    TensorMetricsRow row = new TensorMetricsRow();
    row.setName(name);
    row.setLayer(role.layer());
    row.setComponent(role.component());
    row.setStatus(status.label());
    if (base != null) {
      row.setShapeBase(base.shape().asList());
      row.setDtypeBase(base.dtype().name());
    }
    if (finetuned != null) {
      row.setShapeFinetuned(finetuned.shape().asList());
      row.setDtypeFinetuned(finetuned.dtype().name());
    }
    return row;
  }

  /**
   * Rows for what the plan found from headers alone: tensors on one side only, not numeric, or
   * reshaped beyond a vocabulary resize. They carry no metrics.
   */
  static List<TensorMetricsRow> structural(WeightDiffPlan plan) {
    Checkpoint base = plan.base();
    Checkpoint finetuned = plan.finetuned();
    String modelType = WeightDiffPlan.modelType(base, finetuned);
    Structural s = plan.structural();
    List<TensorMetricsRow> rows = new ArrayList<>();
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
