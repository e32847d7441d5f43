package io.deltascope.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diagnosis.Finding;
import io.deltascope.diff.Trajectory;
import io.deltascope.diff.TrajectoryResult;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.Metric;
import io.deltascope.results.TensorMetricsRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trajectory document: {@code checkpoints} (locations in order), {@code pairs} (each with
 * {@code from}, {@code to}, {@code kind} and the weight-diff document's {@code tensors}, {@code
 * layers}, {@code summary}, {@code structural} and {@code diagnosis}, and {@code by_layer}: each
 * decoder layer's relative change over all its tensors) and the trajectory's {@code findings}.
 */
public final class TrajectoryJson {
  private TrajectoryJson() {}

  /** The weight-diff document's fields each pair carries. */
  static final List<String> PAIR_FIELDS =
      List.of("structural", "tensors", "layers", "summary", "diagnosis");

  /**
   * @param diagnoses each pair's diagnosis, in the trajectory's pair order
   * @param findings what the trajectory as a whole shows
   */
  public static ObjectNode of(
      TrajectoryResult result, List<Diagnosis> diagnoses, List<Finding> findings) {
    ObjectNode root = JsonReport.MAPPER.createObjectNode();
    root.put("command", "trajectory");
    root.put("tool_version", Version.get());
    Trajectory t = result.trajectory();
    t.checkpoints().forEach(root.putArray("checkpoints")::add);
    ArrayNode pairs = root.putArray("pairs");
    for (int i = 0; i < t.pairs().size(); i++) {
      pairs.add(pair(t.pairs().get(i), result.results().get(i), diagnoses.get(i)));
    }
    root.set("findings", JsonReport.findings(findings));
    return root;
  }

  private static ObjectNode pair(Trajectory.Pair p, WeightDiffResult result, Diagnosis diagnosis) {
    ObjectNode node = JsonReport.MAPPER.createObjectNode();
    node.put("from", p.from());
    node.put("to", p.to());
    node.put("kind", p.kind().label());
    ObjectNode full = JsonReport.weightDiff(result, List.of(), diagnosis);
    for (String field : PAIR_FIELDS) {
      node.set(field, full.get(field));
    }
    node.set("by_layer", byLayer(result));
    return node;
  }

  /** Each decoder layer's relative change over all its tensors, in layer order. */
  static ArrayNode byLayer(WeightDiffResult result) {
    Map<Integer, List<TensorMetricsRow>> layers = new TreeMap<>();
    for (TensorMetricsRow row : result.compared()) {
      if (row.getLayer() != null) {
        layers.computeIfAbsent(row.getLayer(), k -> new ArrayList<>()).add(row);
      }
    }
    ArrayNode out = JsonReport.MAPPER.createArrayNode();
    layers.forEach(
        (layer, rows) -> {
          ObjectNode node = out.addObject();
          node.put("layer", layer);
          JsonReport.putDouble(node, "relative_delta", Metric.RELATIVE_DELTA.aggregate(rows));
        });
    return out;
  }
}
