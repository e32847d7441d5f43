package io.deltascope.diff;

import io.deltascope.results.Metric;
import io.deltascope.results.TensorResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The change of one component in one layer (or outside the stack when {@code layer} is null):
 * sqrt(sum of l2^2) / sqrt(sum of norm_base^2) over its tensors ({@link Metric#RELATIVE_DELTA}'s
 * aggregation).
 *
 * @param layer the layer, or null
 * @param component the component
 * @param relativeDelta the aggregated relative change; null when the base norms sum to 0
 * @param tensors how many tensors it aggregates
 */
public record ComponentDelta(Integer layer, String component, Double relativeDelta, int tensors) {

  /** Aggregates compared rows by (layer, component), sorted by layer (stack first) then name. */
  public static List<ComponentDelta> aggregate(List<TensorResult> rows) {
    Map<List<Object>, List<TensorResult>> groups = new LinkedHashMap<>();
    for (TensorResult row : rows) {
      if (row.hasMetrics()) {
        groups
            .computeIfAbsent(
                java.util.Arrays.asList(row.layer(), row.component()), k -> new ArrayList<>())
            .add(row);
      }
    }
    List<ComponentDelta> out = new ArrayList<>();
    groups.forEach(
        (key, group) ->
            out.add(
                new ComponentDelta(
                    (Integer) key.get(0),
                    (String) key.get(1),
                    Metric.RELATIVE_DELTA.aggregate(group),
                    group.size())));
    out.sort(ORDER);
    return out;
  }

  /** Layers in order, then the tensors outside the stack; components by name. */
  public static final Comparator<ComponentDelta> ORDER =
      Comparator.comparing(
              ComponentDelta::layer, Comparator.nullsLast(Comparator.<Integer>naturalOrder()))
          .thenComparing(ComponentDelta::component);

  /** "Layer 11 mlp_down" or "embed". */
  public String label() {
    return layer == null ? component : "Layer " + layer + " " + component;
  }

  public boolean isIn(Integer layerIndex) {
    return Objects.equals(layer, layerIndex);
  }
}
