package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.results.TensorResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every singular value of each delta, for the report's spectra chart. The JSON document carries the
 * top k only (a full spectrum per tensor would make it many times larger); the report's copy of it
 * gets the full ones from the result or the store's {@code spectra} table.
 */
public final class FullSpectra {
  private FullSpectra() {}

  /** The field of a report document's tensor that holds its whole spectrum, descending. */
  public static final String FIELD = "singular_values";

  /**
   * A copy of the weight-diff document {@code doc} whose tensors (and reshaped tensors' common-row
   * metrics) carry their full spectra from {@code rows}; {@code doc} itself is left as it is.
   */
  public static ObjectNode attach(ObjectNode doc, List<TensorResult> rows) {
    Map<String, List<Double>> byName = new HashMap<>();
    for (TensorResult r : rows) {
      if (r.singularValues() != null) {
        byName.put(r.name(), r.singularValues());
      }
    }
    return attach(doc, byName);
  }

  /** As {@link #attach(ObjectNode, List)}, with the spectra by tensor name. */
  public static ObjectNode attach(ObjectNode doc, Map<String, List<Double>> byName) {
    ObjectNode copy = doc.deepCopy();
    if (byName.isEmpty()) {
      return copy;
    }
    for (JsonNode t : Json.list(copy, "tensors")) {
      put(t, byName.get(Json.str(t, "name")));
    }
    for (JsonNode c : Json.list(copy.get("structural"), "shape_changed")) {
      put(c.get("metrics_on_common_rows"), byName.get(Json.str(c, "name")));
    }
    return copy;
  }

  private static void put(JsonNode node, List<Double> values) {
    if (values == null || !(node instanceof ObjectNode o)) {
      return;
    }
    ArrayNode a = o.putArray(FIELD);
    values.forEach(a::add);
  }

  /** The tensor's whole spectrum when its document carries it, else its top k. */
  static List<Double> of(JsonNode tensor) {
    List<Double> all = Json.doubles(tensor, FIELD);
    return all.isEmpty() ? Json.doubles(tensor, "singular_values_top") : all;
  }
}
