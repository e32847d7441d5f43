package io.deltascope.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.Shape;
import io.deltascope.checkpoint.TensorRole;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diagnosis.Finding;
import io.deltascope.diagnosis.PairFacts;
import io.deltascope.diff.ComponentDelta;
import io.deltascope.diff.QuantizedFile;
import io.deltascope.diff.Structural;
import io.deltascope.diff.Summary;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.Metric;
import io.deltascope.results.TensorResult;
import io.deltascope.tensor.DeltaMetrics;
import java.util.ArrayList;
import java.util.List;

/** The weight-diff result as JSON, with the field names users and later versions rely on. */
public final class JsonReport {
  private JsonReport() {}

  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static ObjectNode weightDiff(WeightDiffResult result) {
    return weightDiff(result, List.of());
  }

  /** The report, with a {@code quantization} entry per GGUF side when there are any. */
  public static ObjectNode weightDiff(WeightDiffResult result, List<QuantizedFile> quantized) {
    return weightDiff(result, quantized, Diagnosis.of(result, PairFacts.quantized(quantized)));
  }

  /** The report with its diagnosis (computed once by the caller). */
  public static ObjectNode weightDiff(
      WeightDiffResult result, List<QuantizedFile> quantized, Diagnosis diagnosis) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("base", result.base());
    root.put("finetuned", result.finetuned());
    root.put("tool_version", Version.get());
    ObjectNode structural = structural(result.structural());
    for (var e : structural.withArray("shape_changed")) {
      if (e.get("metrics_on_common_rows").isObject()) {
        result.rows().stream()
            .filter(r -> r.name().equals(e.get("name").asText()))
            .findFirst()
            .ifPresent(r -> spectrum((ObjectNode) e.get("metrics_on_common_rows"), r));
      }
    }
    root.set("structural", structural);
    ArrayNode tensors = root.putArray("tensors");
    for (TensorResult row : result.compared()) {
      tensors.add(tensor(row));
    }
    ArrayNode layers = root.putArray("layers");
    for (ComponentDelta c : result.components()) {
      ObjectNode node = layers.addObject();
      putInteger(node, "layer", TensorRole.numbered(c.layer(), c.component()));
      node.put("component", c.component());
      putDouble(node, "relative_delta", c.relativeDelta());
      node.put("tensors", c.tensors());
    }
    root.set("summary", summary(result.summary()));
    if (!quantized.isEmpty()) {
      ArrayNode files = root.putArray("quantization");
      quantized.forEach(f -> files.add(quantization(f)));
    }
    root.set("diagnosis", diagnosis(diagnosis));
    return root;
  }

  public static String toString(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  static ObjectNode tensor(TensorResult row) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("name", row.name());
    putInteger(node, "layer", TensorRole.numbered(row.layer(), row.component()));
    node.put("component", row.component());
    List<Long> shape = row.shapeBase() != null ? row.shapeBase() : row.shapeFinetuned();
    ArrayNode dims = node.putArray("shape");
    shape.forEach(dims::add);
    node.put("dtype_base", row.dtypeBase());
    node.put("dtype_finetuned", row.dtypeFinetuned());
    putMetrics(node, row, Metric.Source.DELTA);
    spectrum(node, row);
    return node;
  }

  /** The spectrum fields; null with a {@code spectrum_status} saying why when there is none. */
  static void spectrum(ObjectNode node, TensorResult row) {
    node.put("spectrum_status", row.spectrumStatus());
    node.put("spectrum_method", row.spectrumMethod());
    if (row.singularValuesTop() == null) {
      node.putNull("singular_values_top");
    } else {
      ArrayNode top = node.putArray("singular_values_top");
      row.singularValuesTop().forEach(top::add);
    }
    putMetrics(node, row, Metric.Source.SPECTRUM);
  }

  /** The registry's metrics of one source, by their stored names; null where a row has none. */
  private static void putMetrics(ObjectNode node, TensorResult row, Metric.Source source) {
    for (Metric m : Metric.of(source)) {
      Number v = m.of(row);
      if (v != null && m.integral()) {
        node.put(m.column(), v.longValue());
      } else {
        putDouble(node, m.column(), v == null ? null : v.doubleValue());
      }
    }
  }

  public static ObjectNode diagnosis(Diagnosis d) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("kind", d.kind());
    node.put("profile", d.profile());
    putDouble(node, "mean_relative_delta", d.meanRelativeDelta());
    node.put("mean_of", d.meanOf());
    node.put("summary", d.summary());
    node.set("findings", findings(d.findings()));
    return node;
  }

  /** The diagnosis {@link #diagnosis(Diagnosis)} wrote, read back (a missing field is null). */
  public static Diagnosis readDiagnosis(JsonNode node) {
    List<Finding> findings = new ArrayList<>();
    for (JsonNode f : node.path("findings")) {
      findings.add(
          new Finding(
              text(f, "category"), text(f, "severity"), text(f, "title"), text(f, "detail")));
    }
    JsonNode mean = node.path("mean_relative_delta");
    return new Diagnosis(
        text(node, "kind"),
        text(node, "profile"),
        mean.isNumber() ? mean.asDouble() : null,
        text(node, "mean_of"),
        text(node, "summary"),
        List.copyOf(findings));
  }

  private static String text(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value == null || value.isNull() ? null : value.asText();
  }

  /** Findings as JSON: category, severity, title, detail. */
  public static ArrayNode findings(List<Finding> list) {
    ArrayNode findings = MAPPER.createArrayNode();
    for (Finding f : list) {
      ObjectNode e = findings.addObject();
      e.put("category", f.category());
      e.put("severity", f.severity());
      e.put("title", f.title());
      e.put("detail", f.detail());
    }
    return findings;
  }

  static ObjectNode quantization(QuantizedFile f) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("side", f.side());
    node.put("file", f.file());
    node.put("file_type", f.fileType());
    node.put("file_bytes", f.fileBytes());
    node.put("tensor_bytes", f.tensorBytes());
    node.put("n_params", f.params());
    node.put("bits_per_weight", f.bitsPerWeight());
    ObjectNode types = node.putObject("tensors_by_type");
    f.tensorsByType().forEach(types::put);
    return node;
  }

  static ObjectNode structural(Structural s) {
    ObjectNode node = MAPPER.createObjectNode();
    s.onlyInBase().forEach(node.putArray("only_in_base")::add);
    s.onlyInFinetuned().forEach(node.putArray("only_in_finetuned")::add);
    ArrayNode shapes = node.putArray("shape_changed");
    for (Structural.ShapeChange c : s.shapeChanged()) {
      ObjectNode e = shapes.addObject();
      e.put("name", c.name());
      e.set("shape_base", dims(c.shapeBase()));
      e.set("shape_finetuned", dims(c.shapeFinetuned()));
      if (c.commonRows() == null) {
        e.putNull("common_rows");
        e.putNull("metrics_on_common_rows");
      } else {
        e.put("common_rows", c.commonRows());
        e.set("metrics_on_common_rows", metrics(c.metricsOnCommonRows()));
      }
    }
    ArrayNode dtypes = node.putArray("dtype_changed");
    for (Structural.DtypeChange c : s.dtypeChanged()) {
      ObjectNode e = dtypes.addObject();
      e.put("name", c.name());
      e.put("dtype_base", c.dtypeBase());
      e.put("dtype_finetuned", c.dtypeFinetuned());
    }
    ArrayNode tied = node.putArray("tied");
    for (Structural.Tied t : s.tied()) {
      ObjectNode e = tied.addObject();
      e.put("name", t.name());
      e.put("tied_to", t.tiedTo());
      e.put("side", t.side());
    }
    s.notNumeric().forEach(node.putArray("not_numeric")::add);
    return node;
  }

  static ObjectNode metrics(DeltaMetrics m) {
    ObjectNode node = MAPPER.createObjectNode();
    if (m != null) {
      putMetrics(
          node,
          TensorResult.of(null, null, null, null, null, null, null, null).withMetrics(m),
          Metric.Source.DELTA);
    }
    return node;
  }

  static ObjectNode summary(Summary s) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("tensors_total", s.tensorsTotal());
    node.put("tensors_compared", s.tensorsCompared());
    node.put("structural_changes", s.structuralChanges());
    node.put("params_compared", s.paramsCompared());
    node.put("unchanged_tensors", s.unchangedTensors());
    putDouble(node, "mean_relative_delta", s.meanMatrixRelativeDelta());
    node.put("mean_relative_delta_of", s.meanOf());
    for (Summary.Total t : Summary.Total.values()) {
      putDouble(node, t.key(), t.of(s));
    }
    putDouble(node, "max_relative_delta", s.maxRelativeDelta());
    node.put("most_changed", s.mostChanged());
    node.put("nan_count", s.nanCount());
    node.put("inf_count", s.infCount());
    return node;
  }

  private static ArrayNode dims(Shape shape) {
    ArrayNode a = MAPPER.createArrayNode();
    for (long d : shape.dims()) {
      a.add(d);
    }
    return a;
  }

  /** Appends {@code value}, or null when it is NaN or infinite (JSON has neither). */
  static void addDouble(ArrayNode array, double value) {
    if (Double.isFinite(value)) {
      array.add(value);
    } else {
      array.addNull();
    }
  }

  static void putDouble(ObjectNode node, String key, Double value) {
    if (value == null || value.isNaN() || value.isInfinite()) {
      node.putNull(key); // JSON has no NaN
    } else {
      node.put(key, value);
    }
  }

  private static void putInteger(ObjectNode node, String key, Integer value) {
    if (value == null) {
      node.putNull(key);
    } else {
      node.put(key, value);
    }
  }
}
