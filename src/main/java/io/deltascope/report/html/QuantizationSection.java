package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.report.QuantizationDrift;
import io.deltascope.report.QuantizationView;
import io.deltascope.report.TerminalReport;
import io.deltascope.results.Metric;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What quantization did when a side is a GGUF file, as the terminal's quantization view has it:
 * each quantized file's size and bits per weight, the drift by layer and component (relative
 * change, RMSE, lowest cosine, stored types), and the worst tensors.
 */
final class QuantizationSection {
  private QuantizationSection() {}

  /**
   * How many of the most changed tensors the worst-tensors table lists (the terminal's default).
   */
  static final int WORST = 20;

  /**
   * The section, or null when neither side of {@code wd} is quantized. Over the compared tensors,
   * as the terminal's view.
   */
  static HtmlReport.Section of(JsonNode wd) {
    String body = body(wd);
    return body == null ? null : new HtmlReport.Section("quantization", "Quantization", body);
  }

  /**
   * The view's content, or null when neither side is quantized: the section of a pair's page, and a
   * part of the pair's section on a trajectory page ({@code wd}: the pair, with its {@code
   * tensors}, {@code layers} and {@code quantization}).
   */
  static String body(JsonNode wd) {
    List<JsonNode> tensors = Json.list(wd, "tensors");
    List<JsonNode> files = Json.list(wd, "quantization");
    if (files.isEmpty()) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    files(out, files);
    Map<List<Object>, QuantizationDrift> drift = drift(files, tensors);
    out.append("<h3>Drift by layer</h3>");
    chart(out, wd);
    layers(out, wd, drift);
    worst(out, tensors);
    return out.toString();
  }

  private static void files(StringBuilder out, List<JsonNode> files) {
    for (JsonNode f : files) {
      String type = Json.str(f, "file_type");
      out.append("<div class=\"quant-file\" data-side=\"")
          .append(Html.esc(Json.str(f, "side")))
          .append("\"><p class=\"note\">Quantized (")
          .append(Html.esc(Json.str(f, "side")))
          .append("): <span class=\"path\">")
          .append(Html.esc(Json.str(f, "file")))
          .append("</span></p><div class=\"figures\">");
      Double bits = Json.dbl(f, "bits_per_weight");
      figure(
          out,
          "bpw",
          bits == null ? Numbers.MISSING : String.format(java.util.Locale.ROOT, "%.2f", bits),
          "bits per weight",
          Numbers.raw(bits));
      figure(
          out,
          "file-size",
          QuantizationView.bytes(Json.lng(f, "file_bytes")),
          "file size",
          Long.toString(Json.lng(f, "file_bytes")));
      figure(out, "file-type", type == null ? Numbers.MISSING : type, "file type", "");
      StringBuilder types = new StringBuilder();
      JsonNode byType = f.get("tensors_by_type");
      if (byType != null) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        byType.fields().forEachRemaining(entries::add);
        entries.sort(
            Comparator.comparingInt((Map.Entry<String, JsonNode> e) -> -e.getValue().asInt()));
        for (Map.Entry<String, JsonNode> e : entries) {
          types
              .append(types.length() == 0 ? "" : ", ")
              .append(e.getValue().asInt())
              .append(' ')
              .append(e.getKey());
        }
      }
      figure(out, "tensor-types", types.toString(), "tensors by stored type", "");
      out.append("</div></div>");
    }
  }

  private static void figure(
      StringBuilder out, String cls, String value, String label, String raw) {
    out.append("<div class=\"figure ")
        .append(cls)
        .append("\" data-value=\"")
        .append(Html.esc(raw))
        .append("\"><span class=\"value\">")
        .append(Html.esc(value))
        .append("</span><span class=\"label\">")
        .append(Html.esc(label))
        .append("</span></div>");
  }

  /** Each (layer, component)'s tensors added up, with the types as the terminal shows them. */
  static Map<List<Object>, QuantizationDrift> drift(List<JsonNode> files, List<JsonNode> tensors) {
    boolean finetuned = files.stream().anyMatch(f -> "finetuned".equals(Json.str(f, "side")));
    boolean both = files.size() == 2;
    Map<List<Object>, QuantizationDrift> drift = new LinkedHashMap<>();
    for (JsonNode t : tensors) {
      drift
          .computeIfAbsent(
              Heatmaps.key(Json.block(t), Json.str(t, "component")), k -> new QuantizationDrift())
          .add(
              Json.dbl(t, Metric.L2_DISTANCE.column()),
              Json.lng(t, Metric.N_PARAMS.column()),
              Json.dbl(t, Metric.COSINE.column()),
              QuantizationDrift.type(
                  Json.str(t, "dtype_base"), Json.str(t, "dtype_finetuned"), finetuned, both));
    }
    return drift;
  }

  /** Relative change by layer, a line per component. */
  private static void chart(StringBuilder out, JsonNode wd) {
    Map<String, List<LineChart.Point>> byComponent = new TreeMap<>(Heatmaps.COMPONENTS);
    for (JsonNode l : Json.list(wd, "layers")) {
      Integer layer = Json.block(l);
      Double v = Json.dbl(l, Metric.RELATIVE_DELTA.column());
      String component = Json.str(l, "component");
      if (layer == null || v == null || component == null) {
        continue;
      }
      byComponent
          .computeIfAbsent(component, k -> new ArrayList<>())
          .add(
              new LineChart.Point(
                  layer,
                  v,
                  "Layer "
                      + layer
                      + " \u00b7 "
                      + component
                      + "\nrelative change: "
                      + Numbers.exact(v),
                  null));
    }
    // tensors stored exactly (the F32 norms) would pin a line at 0: named below instead
    List<String> exact =
        byComponent.entrySet().stream()
            .filter(e -> e.getValue().stream().allMatch(p -> p.y() == 0))
            .map(Map.Entry::getKey)
            .toList();
    exact.forEach(byComponent::remove);
    if (!byComponent.isEmpty()) {
      double max =
          byComponent.values().stream()
              .flatMap(List::stream)
              .mapToDouble(p -> p.y())
              .max()
              .orElse(1);
      LineChart chart =
          new LineChart("quant-chart", "layer", "relative change").yRange(0, max * 1.1);
      byComponent.forEach((c, points) -> chart.add(new LineChart.Series(c, points)));
      out.append(chart.render());
    }
    if (!exact.isEmpty()) {
      out.append("<p class=\"note quant-exact\">Unchanged in every layer (stored exactly): ")
          .append(Html.esc(String.join(", ", exact)))
          .append(".</p>");
    }
  }

  private static void layers(
      StringBuilder out, JsonNode wd, Map<List<Object>, QuantizationDrift> drift) {
    head(
        out, "quant-layers", "Layer", "Component", "Type", "Relative change", "RMSE", "Min cosine");
    for (JsonNode l : Json.list(wd, "layers")) {
      Integer layer = Json.block(l);
      String component = Json.str(l, "component");
      QuantizationDrift d = drift.get(Heatmaps.key(layer, component));
      if (d == null) {
        continue;
      }
      Double rel = Json.dbl(l, Metric.RELATIVE_DELTA.column());
      boolean high = rel != null && rel > TerminalReport.HIGHLIGHT;
      out.append("<tr")
          .append(high ? " class=\"high\"" : "")
          .append(" data-layer=\"")
          .append(layer == null ? "" : layer)
          .append("\" data-component=\"")
          .append(Html.esc(component))
          .append("\"><td class=\"num\" data-v=\"")
          .append(layer == null ? "" : layer)
          .append("\">")
          .append(layer == null ? Numbers.MISSING : layer)
          .append("</td><td>")
          .append(Html.esc(component))
          .append("</td><td class=\"type\">")
          .append(Html.esc(String.join("/", d.types())))
          .append("</td>");
      TensorTable.num(out, rel);
      TensorTable.num(out, d.rmse());
      TensorTable.num(out, d.minCosine());
      out.append("</tr>");
    }
    out.append("</tbody></table></div>");
  }

  /**
   * A sortable table's opening up to its body; the columns after "Relative change" are numbers too.
   */
  private static void head(StringBuilder out, String cls, String... columns) {
    out.append("<div class=\"scroll\"><table class=\"")
        .append(cls)
        .append(" sortable\"><thead><tr>");
    boolean numbers = false;
    for (String c : columns) {
      numbers |= c.equals("Relative change");
      out.append(TensorTable.th(c, numbers || c.equals("Layer") ? "num" : "text"));
    }
    out.append("</tr></thead><tbody>");
  }

  private static void worst(StringBuilder out, List<JsonNode> tensors) {
    List<JsonNode> worst = TensorTable.mostChanged(tensors, WORST);
    out.append("<h3>Worst ").append(worst.size()).append(" tensors</h3>");
    head(out, "quant-worst", "Tensor", "Type", "Relative change", "RMSE", "Cosine");
    for (JsonNode t : worst) {
      out.append("<tr data-tensor=\"")
          .append(Html.esc(Json.str(t, "name")))
          .append("\"><td class=\"name\">")
          .append(Html.esc(Json.str(t, "name")))
          .append("</td><td class=\"type\">")
          .append(Html.esc(Json.str(t, "dtype_base")))
          .append(" \u2192 ")
          .append(Html.esc(Json.str(t, "dtype_finetuned")))
          .append("</td>");
      TensorTable.num(out, Json.dbl(t, Metric.RELATIVE_DELTA.column()));
      TensorTable.num(out, Json.dbl(t, Metric.RMSE.column()));
      TensorTable.num(out, Json.dbl(t, Metric.COSINE.column()));
      out.append("</tr>");
    }
    out.append("</tbody></table></div>");
  }
}
