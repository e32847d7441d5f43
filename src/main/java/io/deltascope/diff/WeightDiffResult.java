package io.deltascope.diff;

import io.deltascope.checkpoint.Locations;
import io.deltascope.results.TensorResult;
import io.deltascope.tensor.DeltaMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Everything a weight diff found, ready to render: one row per tensor name, the structural
 * differences, the per layer and component aggregates and the summary.
 *
 * @param base the base checkpoint as the user named it
 * @param finetuned the fine-tuned checkpoint as the user named it
 * @param rows one row per tensor name across both sides, sorted by name
 * @param structural structural differences, shape changes with their common-row metrics
 * @param components per layer and component aggregates
 * @param summary headline numbers
 */
public record WeightDiffResult(
    String base,
    String finetuned,
    List<TensorResult> rows,
    Structural structural,
    List<ComponentDelta> components,
    Summary summary) {

  /** A structure-only result: the planned pairs appear without metrics. */
  public static WeightDiffResult headersOnly(WeightDiffPlan plan) {
    return of(plan, plan.pairs().stream().map(TensorRows::of).toList());
  }

  /** Puts the executors' rows together with what the plan found from headers alone. */
  public static WeightDiffResult of(WeightDiffPlan plan, List<TensorResult> computed) {
    List<TensorResult> rows = new ArrayList<>(computed);
    rows.addAll(TensorRows.structural(plan));
    rows.sort(Comparator.comparing(TensorResult::name));
    Map<String, TensorResult> byName =
        rows.stream().collect(Collectors.toMap(TensorResult::name, Function.identity()));
    Structural s = plan.structural();
    List<Structural.ShapeChange> shapes =
        s.shapeChanged().stream()
            .map(c -> c.commonRows() == null ? c : c.withMetrics(metricsOf(byName.get(c.name()))))
            .toList();
    Structural structural =
        new Structural(
            s.onlyInBase(),
            s.onlyInFinetuned(),
            shapes,
            s.dtypeChanged(),
            s.tied(),
            s.notNumeric());
    return new WeightDiffResult(
        Locations.redact(plan.base().location()),
        Locations.redact(plan.finetuned().location()),
        List.copyOf(rows),
        structural,
        ComponentDelta.aggregate(rows),
        Summary.of(rows, structural));
  }

  /** Rows with metrics on tensors of the same shape on both sides. */
  public List<TensorResult> compared() {
    return rows.stream()
        .filter(r -> r.hasMetrics() && r.status().equals(TensorStatus.COMPARED.label()))
        .toList();
  }

  /** The metrics a row holds, or null when it holds none (or there is no row). */
  public static DeltaMetrics metricsOf(TensorResult r) {
    return r == null ? null : r.metrics();
  }
}
