package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.TensorRole;
import io.deltascope.results.Metric;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The sections drawn from a weight-diff document. */
final class WeightDiffSections {
  private WeightDiffSections() {}

  /** How many tensors the spectra chart draws. */
  static final int TOP_SPECTRA = 6;

  /** The spectra table's columns: the change, then the registry's spectrum metrics. */
  private static final List<Metric> SPECTRA_TABLE =
      java.util.stream.Stream.concat(
              java.util.stream.Stream.of(Metric.RELATIVE_DELTA),
              Metric.of(Metric.Source.SPECTRUM).stream().filter(m -> m != Metric.RANK_FLOOR))
          .toList();

  static List<HtmlReport.Section> of(JsonNode wd) {
    List<HtmlReport.Section> out = new ArrayList<>();
    List<JsonNode> tensors = withReshaped(wd);
    HtmlReport.Section quantization = QuantizationSection.of(wd);
    if (quantization != null) {
      out.add(quantization);
    }
    if (!tensors.isEmpty()) {
      out.add(
          new HtmlReport.Section(
              "heatmaps", "Heatmaps: layers \u00d7 components", Heatmaps.render(wd, tensors)));
      out.add(new HtmlReport.Section("layers", "Change by layer", layerBars(tensors)));
      out.add(
          new HtmlReport.Section(
              "top-tensors", "Most changed tensors", TensorTable.complete(tensors)));
    }
    if (wd.has("structural")) {
      out.add(
          new HtmlReport.Section(
              "structural", "Structural changes", StructuralTable.render(wd.get("structural"))));
    }
    List<JsonNode> spectra =
        tensors.stream().filter(t -> !Json.doubles(t, "singular_values_top").isEmpty()).toList();
    if (!spectra.isEmpty()) {
      out.add(new HtmlReport.Section("spectra", "Spectra of the deltas", spectra(spectra)));
    }
    return out;
  }

  /**
   * The compared tensors and the reshaped ones compared on their common rows (a resized
   * vocabulary's embedding and head), with their metrics, layer and component.
   */
  static List<JsonNode> withReshaped(JsonNode wd) {
    List<JsonNode> out = new ArrayList<>(Json.list(wd, "tensors"));
    for (JsonNode c : Json.list(wd.get("structural"), "shape_changed")) {
      JsonNode m = c.get("metrics_on_common_rows");
      String name = Json.str(c, "name");
      if (name == null || m == null || !m.isObject() || !m.has("l2_distance")) {
        continue;
      }
      ObjectNode t = m.deepCopy();
      TensorRole role = TensorRole.of(name, "");
      t.put("name", name);
      Integer layer = TensorRole.numbered(role.layer(), role.component());
      if (layer == null) {
        t.putNull("layer");
      } else {
        t.put("layer", layer);
      }
      t.put("component", role.component());
      t.set("shape", c.get("shape_finetuned"));
      t.put("common_rows", Json.lng(c, "common_rows"));
      out.add(t);
    }
    return out;
  }

  /** Per layer: sqrt(sum l2^2) / sqrt(sum ||A||^2) over the layer's compared tensors. */
  static String layerBars(List<JsonNode> tensors) {
    Map<Integer, double[]> sums = new TreeMap<>();
    for (JsonNode t : tensors) {
      Integer layer = Json.block(t);
      Double l2 = Json.dbl(t, "l2_distance");
      Double norm = Json.dbl(t, "norm_base");
      if (layer == null || l2 == null || norm == null) {
        continue;
      }
      double[] s = sums.computeIfAbsent(layer, k -> new double[3]);
      s[0] += l2 * l2;
      s[1] += norm * norm;
      s[2]++;
    }
    if (sums.isEmpty()) {
      return "<p class=\"none\">No tensor inside the layers was compared.</p>";
    }
    int w = 720;
    int h = 260;
    int left = 64;
    int right = 16;
    int top = 14;
    int bottom = 44;
    double max = 0;
    for (double[] s : sums.values()) {
      max = Math.max(max, s[1] > 0 ? Math.sqrt(s[0] / s[1]) : 0);
    }
    LineChart.Scale sy = new LineChart.Scale(0, max > 0 ? max * 1.05 : 1, h - bottom, top, false);
    int n = sums.size();
    double slot = (w - left - right) / (double) n;
    StringBuilder svg =
        new StringBuilder("<figure class=\"chart bars\"><svg viewBox=\"0 0 ")
            .append(w)
            .append(' ')
            .append(h)
            .append("\" role=\"img\" aria-label=\"relative change by layer\">");
    for (double t : sy.ticks()) {
      double y = sy.map(t);
      svg.append("<line class=\"grid\" x1=\"")
          .append(left)
          .append("\" x2=\"")
          .append(w - right)
          .append("\" y1=\"")
          .append(LineChart.f(y))
          .append("\" y2=\"")
          .append(LineChart.f(y))
          .append("\"/>")
          .append("<text class=\"tick\" x=\"")
          .append(left - 6)
          .append("\" y=\"")
          .append(LineChart.f(y + 4))
          .append("\" text-anchor=\"end\">")
          .append(Html.esc(Numbers.num(t)))
          .append("</text>");
    }
    int i = 0;
    int labelEvery = Math.max(1, (int) Math.ceil(n / 24.0));
    for (Map.Entry<Integer, double[]> e : sums.entrySet()) {
      double[] s = e.getValue();
      double v = s[1] > 0 ? Math.sqrt(s[0] / s[1]) : 0;
      double x = left + i * slot + slot * 0.15;
      double y = sy.map(v);
      svg.append("<rect class=\"bar\" tabindex=\"0\" x=\"")
          .append(LineChart.f(x))
          .append("\" y=\"")
          .append(LineChart.f(y))
          .append("\" width=\"")
          .append(LineChart.f(slot * 0.7))
          .append("\" height=\"")
          .append(LineChart.f(h - bottom - y))
          .append("\" fill=\"")
          .append(Viridis.at(0.25))
          .append("\" data-layer=\"")
          .append(e.getKey())
          .append("\" data-value=\"")
          .append(Numbers.raw(v))
          .append("\" data-tip=\"")
          .append(
              Html.esc(
                  "Layer "
                      + e.getKey()
                      + "\nrelative change: "
                      + Numbers.exact(v)
                      + " (over "
                      + (int) s[2]
                      + " tensors)"))
          .append("\"/>");
      if (i % labelEvery == 0) {
        svg.append("<text class=\"tick\" x=\"")
            .append(LineChart.f(left + (i + 0.5) * slot))
            .append("\" y=\"")
            .append(h - bottom + 16)
            .append("\" text-anchor=\"middle\">")
            .append(e.getKey())
            .append("</text>");
      }
      i++;
    }
    svg.append("<line class=\"axis\" x1=\"")
        .append(left)
        .append("\" x2=\"")
        .append(w - right)
        .append("\" y1=\"")
        .append(h - bottom)
        .append("\" y2=\"")
        .append(h - bottom)
        .append("\"/>")
        .append("<text class=\"axis-label\" x=\"")
        .append((left + w - right) / 2)
        .append("\" y=\"")
        .append(h - 6)
        .append("\" text-anchor=\"middle\">layer</text>")
        .append("<text class=\"axis-label\" transform=\"translate(14,")
        .append((top + h - bottom) / 2)
        .append(") rotate(-90)\" text-anchor=\"middle\">relative change</text></svg>")
        .append(
            "<figcaption>Relative change of each layer: \u221a\u03a3\u2016B\u2212A\u2016\u00b2 / \u221a\u03a3\u2016A\u2016\u00b2 over its tensors.</figcaption></figure>");
    return svg.toString();
  }

  /**
   * The spectra of the most changed tensors that have one, log-log, and every spectrum's figures.
   */
  static String spectra(List<JsonNode> withSpectrum) {
    List<JsonNode> byChange =
        withSpectrum.stream()
            .sorted(
                Comparator.comparing(
                        (JsonNode t) -> {
                          Double r = Json.dbl(t, "relative_delta");
                          return r == null ? Double.NEGATIVE_INFINITY : r;
                        })
                    .reversed())
            .toList();
    List<JsonNode> top = byChange.subList(0, Math.min(TOP_SPECTRA, byChange.size()));
    StringBuilder out = new StringBuilder(SpectrumChart.render(top));
    out.append("<div class=\"scroll\"><table class=\"spectra-table sortable\"><thead><tr>")
        .append(TensorTable.th("Tensor", "text"));
    SPECTRA_TABLE.forEach(m -> out.append(TensorTable.th(m.label(), "num")));
    out.append("</tr></thead><tbody>");
    for (JsonNode t : byChange) {
      out.append("<tr><td class=\"name\">").append(Html.esc(Json.str(t, "name"))).append("</td>");
      SPECTRA_TABLE.forEach(m -> TensorTable.cell(out, m, Json.dbl(t, m.column())));
      out.append("</tr>");
    }
    return out.append("</tbody></table></div>").toString();
  }
}
