package io.deltascope.diff;

import io.deltascope.results.TensorMetricsRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The change of one component in one layer (or outside the stack when {@code layer} is null):
 * sqrt(sum of l2^2) / sqrt(sum of norm_base^2) over its tensors.
 *
 * @param layer the layer, or null
 * @param component the component
 * @param relativeDelta the aggregated relative change; null when the base norms sum to 0
 * @param tensors how many tensors it aggregates
 */
public record ComponentDelta(Integer layer, String component, Double relativeDelta, int tensors) {

  /** Aggregates compared rows by (layer, component), sorted by layer (stack first) then name. */
  public static List<ComponentDelta> aggregate(List<TensorMetricsRow> rows) {
    Map<List<Object>, double[]> sums = new LinkedHashMap<>();
    for (TensorMetricsRow row : rows) {
      if (!row.hasMetrics()) {
        continue;
      }
      double[] s =
          sums.computeIfAbsent(
              java.util.Arrays.asList(row.getLayer(), row.getComponent()), k -> new double[3]);
      s[0] += row.getL2Distance() * row.getL2Distance();
      s[1] += row.getNormBase() * row.getNormBase();
      s[2] += 1;
    }
    List<ComponentDelta> out = new ArrayList<>();
    sums.forEach(
        (key, s) ->
            out.add(
                new ComponentDelta(
                    (Integer) key.get(0),
                    (String) key.get(1),
                    s[1] > 0 ? Math.sqrt(s[0]) / Math.sqrt(s[1]) : null,
                    (int) s[2])));
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
