package io.deltascope.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diagnosis.Finding;
import io.deltascope.diff.QuantizedFile;
import io.deltascope.diff.Trajectory;
import io.deltascope.diff.TrajectoryResult;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.Metric;
import io.deltascope.results.TensorResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The trajectory document: {@code checkpoints} (locations in order), {@code pairs} (each with
 * {@code from}, {@code to}, {@code kind} and the weight-diff document's {@code tensors}, {@code
 * layers}, {@code summary}, {@code structural} and {@code diagnosis}; {@code by_layer}, each
 * decoder layer's relative change over all its tensors; {@code by_component}, each layer's
 * components with relative change, cosine and effective rank; {@code quantization} when a side is a
 * GGUF file) and the trajectory's {@code findings}.
 */
public final class TrajectoryJson {
  private TrajectoryJson() {}

  /** The weight-diff document's fields each pair carries. */
  public static final List<String> PAIR_FIELDS =
      List.of("structural", "tensors", "layers", "summary", "diagnosis");

  /**
   * @param diagnoses each pair's diagnosis, in the trajectory's pair order
   * @param findings what the trajectory as a whole shows
   */
  public static ObjectNode of(
      TrajectoryResult result, List<Diagnosis> diagnoses, List<Finding> findings) {
    return of(result, diagnoses, Collections.nCopies(diagnoses.size(), List.of()), findings);
  }

  /**
   * @param diagnoses each pair's diagnosis, in the trajectory's pair order
   * @param quantized each pair's GGUF sides (none, one or both), in the same order: a pair with one
   *     carries the weight-diff document's {@code quantization}
   * @param findings what the trajectory as a whole shows
   */
  public static ObjectNode of(
      TrajectoryResult result,
      List<Diagnosis> diagnoses,
      List<List<QuantizedFile>> quantized,
      List<Finding> findings) {
    ObjectNode root = JsonReport.MAPPER.createObjectNode();
    root.put("command", "trajectory");
    root.put("tool_version", Version.get());
    Trajectory t = result.trajectory();
    t.checkpoints().forEach(root.putArray("checkpoints")::add);
    ArrayNode pairs = root.putArray("pairs");
    for (int i = 0; i < t.pairs().size(); i++) {
      pairs.add(
          pair(t.pairs().get(i), result.results().get(i), diagnoses.get(i), quantized.get(i)));
    }
    root.set("findings", JsonReport.findings(findings));
    return root;
  }

  private static ObjectNode pair(
      Trajectory.Pair p,
      WeightDiffResult result,
      Diagnosis diagnosis,
      List<QuantizedFile> quantized) {
    ObjectNode node = JsonReport.MAPPER.createObjectNode();
    node.put("name", p.name());
    node.put("from", p.from());
    node.put("to", p.to());
    node.put("kind", p.kind().label());
    ObjectNode full = JsonReport.weightDiff(result, quantized, diagnosis);
    for (String field : PAIR_FIELDS) {
      node.set(field, full.get(field));
    }
    if (full.has("quantization")) {
      node.set("quantization", full.get("quantization"));
    }
    node.set("by_layer", byLayer(result));
    node.set("by_component", byComponent(result));
    return node;
  }

  /** The metrics the trajectory charts draw per layer and component. */
  static final List<Metric> CHARTED =
      List.of(Metric.RELATIVE_DELTA, Metric.COSINE, Metric.EFFECTIVE_RANK);

  /** Each decoder layer's relative change over all its tensors, in layer order. */
  static ArrayNode byLayer(WeightDiffResult result) {
    ArrayNode out = JsonReport.MAPPER.createArrayNode();
    groups(result, row -> List.of(row.layer()))
        .forEach(
            (key, rows) -> {
              ObjectNode node = out.addObject();
              node.put("layer", (Integer) key.get(0));
              JsonReport.putDouble(
                  node, Metric.RELATIVE_DELTA.column(), Metric.RELATIVE_DELTA.aggregate(rows));
            });
    return out;
  }

  /**
   * Each decoder layer's components with the charted metrics aggregated over their tensors, as the
   * registry aggregates them.
   */
  static ArrayNode byComponent(WeightDiffResult result) {
    ArrayNode out = JsonReport.MAPPER.createArrayNode();
    groups(result, row -> List.of(row.layer(), row.component()))
        .forEach(
            (key, rows) -> {
              ObjectNode node = out.addObject();
              node.put("layer", (Integer) key.get(0));
              node.put("component", (String) key.get(1));
              for (Metric m : CHARTED) {
                JsonReport.putDouble(node, m.column(), m.aggregate(rows));
              }
            });
    return out;
  }

  /** The compared rows inside the layers, grouped by {@code key}, in layer then key order. */
  private static Map<List<Object>, List<TensorResult>> groups(
      WeightDiffResult result, Function<TensorResult, List<Object>> key) {
    Map<List<Object>, List<TensorResult>> groups =
        new TreeMap<>(
            Comparator.comparing((List<Object> k) -> (Integer) k.get(0))
                .thenComparing(k -> k.size() > 1 ? String.valueOf(k.get(1)) : ""));
    for (TensorResult row : result.compared()) {
      if (row.layer() != null) {
        groups.computeIfAbsent(key.apply(row), k -> new ArrayList<>()).add(row);
      }
    }
    return groups;
  }
}
