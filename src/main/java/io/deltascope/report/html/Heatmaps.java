package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Layers x components heatmaps, one per metric the document carries, each cell coloured on the
 * viridis scale of its heatmap (legend below the title) with a tooltip naming the tensor and its
 * exact value.
 */
final class Heatmaps {
  private Heatmaps() {}

  /** A metric drawn as a heatmap: its JSON field and how people call it. */
  record Metric(String field, String title, String label) {
    /** A heatmap of a registry metric: its stored name and label, with a longer title. */
    static Metric of(io.deltascope.results.Metric metric, String title) {
      return new Metric(metric.column(), title, metric.label().toLowerCase(java.util.Locale.ROOT));
    }
  }

  static final List<Metric> METRICS =
      List.of(
          Metric.of(
              io.deltascope.results.Metric.RELATIVE_DELTA,
              "Relative change \u2016B\u2212A\u2016 / \u2016A\u2016"),
          Metric.of(io.deltascope.results.Metric.COSINE, "Cosine similarity of base and fine-tune"),
          Metric.of(io.deltascope.results.Metric.EFFECTIVE_RANK, "Effective rank of the delta"),
          Metric.of(
              io.deltascope.results.Metric.TOP_K_ENERGY_SHARE, "Top-k energy share of the delta"),
          Metric.of(
              io.deltascope.results.Metric.NUMERICAL_RANK,
              "Numerical rank of the delta (singular values above its rank floor)"));

  /** Component columns in the order a block computes them; unknown ones after, by name. */
  private static final List<String> ORDER =
      List.of(
          "norm_attn",
          "attn_qkv",
          "attn_q",
          "attn_k",
          "attn_v",
          "attn_q_norm",
          "attn_k_norm",
          "attn_o",
          "norm_post_attn",
          "norm_mlp",
          "norm_pre_mlp",
          "mlp_gate_up",
          "mlp_gate",
          "mlp_up",
          "mlp_fc",
          "mlp_down",
          "mlp_proj",
          "norm_post_mlp",
          "embed",
          "pos_embed",
          "norm_final",
          "lm_head",
          "other");

  static final Comparator<String> COMPONENTS =
      Comparator.comparingInt(Heatmaps::rank).thenComparing(Comparator.naturalOrder());

  private static int rank(String component) {
    boolean bias = component.endsWith("_bias");
    int i = ORDER.indexOf(bias ? component.substring(0, component.length() - 5) : component);
    return (i < 0 ? ORDER.size() : i) * 2 + (bias ? 1 : 0);
  }

  /** The tensors of one (layer, component), and the component's aggregated relative change. */
  record Cell(Integer layer, String component, List<JsonNode> tensors, Double aggregate) {
    /** The largest tensor: the weight matrix rather than its bias or norm. */
    JsonNode main() {
      return tensors.stream()
          .max(Comparator.comparingLong(t -> Json.lng(t, "n_params")))
          .orElseThrow();
    }

    Double value(String field) {
      if (field.equals("relative_delta") && aggregate != null) {
        return aggregate;
      }
      return Json.dbl(main(), field);
    }
  }

  /**
   * @param wd the weight-diff document (its {@code layers} aggregates)
   * @param tensors its tensors with metrics (reshaped ones included)
   */
  static String render(JsonNode wd, List<JsonNode> tensors) {
    Map<List<Object>, Cell> cells = cells(wd, tensors);
    if (cells.isEmpty()) {
      return "";
    }
    TreeSet<Integer> layers = new TreeSet<>();
    TreeSet<String> inLayers = new TreeSet<>(COMPONENTS);
    TreeSet<String> outside = new TreeSet<>(COMPONENTS);
    for (Cell c : cells.values()) {
      if (c.layer() != null) {
        layers.add(c.layer());
        inLayers.add(c.component());
      } else {
        outside.add(c.component());
      }
    }
    StringBuilder out = new StringBuilder("<div class=\"heatmaps\">");
    for (Metric m : METRICS) {
      List<Double> values =
          cells.values().stream().map(c -> c.value(m.field())).filter(Objects::nonNull).toList();
      if (values.isEmpty()) {
        continue;
      }
      double lo = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double hi = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      if (m.field().equals("relative_delta")) {
        lo = Math.min(0, lo);
      }
      out.append("<figure class=\"heatmap\" data-metric=\"")
          .append(m.field())
          .append("\"><figcaption><h3>")
          .append(Html.esc(m.title()))
          .append("</h3>");
      legend(out, lo, hi);
      out.append(
          "</figcaption><div class=\"scroll\"><table class=\"hm\"><thead><tr><th scope=\"col\">Layer</th>");
      for (String c : inLayers) {
        out.append("<th scope=\"col\"><span>").append(Html.esc(c)).append("</span></th>");
      }
      for (String c : outside) {
        out.append("<th scope=\"col\" class=\"outside\"><span>")
            .append(Html.esc(c))
            .append("</span></th>");
      }
      out.append("</tr></thead><tbody>");
      for (Integer layer : layers) {
        row(out, cells, m, layer, inLayers, outside, lo, hi);
      }
      if (!outside.isEmpty()) {
        row(out, cells, m, null, inLayers, outside, lo, hi);
      }
      out.append("</tbody></table></div></figure>");
    }
    return out.append("</div>").toString();
  }

  private static void row(
      StringBuilder out,
      Map<List<Object>, Cell> cells,
      Metric m,
      Integer layer,
      TreeSet<String> inLayers,
      TreeSet<String> outside,
      double lo,
      double hi) {
    out.append("<tr><th scope=\"row\">")
        .append(
            layer == null
                ? "<abbr title=\"tensors outside the layers\">outside</abbr>"
                : Numbers.count(layer))
        .append("</th>");
    for (String c : inLayers) {
      cell(out, layer == null ? null : cells.get(key(layer, c)), m, lo, hi);
    }
    for (String c : outside) {
      cell(out, layer == null ? cells.get(key(null, c)) : null, m, lo, hi);
    }
    out.append("</tr>");
  }

  private static void cell(StringBuilder out, Cell cell, Metric m, double lo, double hi) {
    Double v = cell == null ? null : cell.value(m.field());
    if (v == null) {
      out.append("<td class=\"cell empty\"></td>");
      return;
    }
    double t = position(v, lo, hi);
    String where =
        cell.layer() == null
            ? cell.component()
            : "Layer " + cell.layer() + " \u00b7 " + cell.component();
    StringBuilder tip = new StringBuilder(where).append('\n');
    for (JsonNode x : cell.tensors()) {
      tip.append(Json.str(x, "name"));
      if (x.has("common_rows")) {
        tip.append(" (reshaped: over its ")
            .append(Numbers.count(Json.lng(x, "common_rows")))
            .append(" common rows)");
      }
      tip.append('\n');
    }
    tip.append(m.label()).append(": ").append(Numbers.exact(v));
    if (cell.tensors().size() > 1) {
      tip.append(
          m.field().equals("relative_delta")
              ? " (over its " + cell.tensors().size() + " tensors)"
              : " (of " + Json.str(cell.main(), "name") + ")");
    }
    out.append("<td class=\"cell\" tabindex=\"0\" style=\"background:")
        .append(Viridis.at(t))
        .append(";color:")
        .append(Viridis.textOn(t))
        .append("\" data-tensor=\"")
        .append(Html.esc(Json.str(cell.main(), "name")))
        .append("\" data-value=\"")
        .append(Numbers.raw(v))
        .append("\" data-tip=\"")
        .append(Html.esc(tip.toString()))
        .append("\">")
        .append(Html.esc(Numbers.sig(v, 3)))
        .append("</td>");
  }

  /**
   * Where {@code v} falls on the colour scale from {@code lo} to {@code hi}, 0 to 1; the middle for
   * every value when the range is below display precision, so that values printed the same are
   * painted the same.
   */
  static double position(double v, double lo, double hi) {
    return flat(lo, hi) ? 0.5 : (v - lo) / (hi - lo);
  }

  /** Whether {@code lo} and {@code hi} print as the same number. */
  static boolean flat(double lo, double hi) {
    return !(hi > lo) || Numbers.num(lo).equals(Numbers.num(hi));
  }

  static void legend(StringBuilder out, double lo, double hi) {
    if (flat(lo, hi)) {
      out.append("<div class=\"scale flat\" role=\"img\" aria-label=\"every value ")
          .append(Html.esc(Numbers.num(hi)))
          .append("\"><span class=\"bar\" style=\"background:")
          .append(Viridis.at(0.5))
          .append("\"></span><span class=\"hi\">all ")
          .append(Html.esc(Numbers.num(hi)))
          .append("</span></div>");
      return;
    }
    out.append("<div class=\"scale\" role=\"img\" aria-label=\"colour scale from ")
        .append(Html.esc(Numbers.num(lo)))
        .append(" to ")
        .append(Html.esc(Numbers.num(hi)))
        .append("\"><span class=\"lo\">")
        .append(Html.esc(Numbers.num(lo)))
        .append("</span><span class=\"bar\" style=\"background:")
        .append(Viridis.gradient())
        .append("\"></span><span class=\"hi\">")
        .append(Html.esc(Numbers.num(hi)))
        .append("</span></div>");
  }

  /** Compared tensors grouped by (layer, component), with the document's component aggregates. */
  static Map<List<Object>, Cell> cells(JsonNode wd, List<JsonNode> tensors) {
    Map<List<Object>, List<JsonNode>> groups = new LinkedHashMap<>();
    for (JsonNode t : tensors) {
      String component = Json.str(t, "component");
      groups
          .computeIfAbsent(
              key(Json.block(t), component == null ? "other" : component), k -> new ArrayList<>())
          .add(t);
    }
    Map<List<Object>, Double> aggregates = new LinkedHashMap<>();
    for (JsonNode l : Json.list(wd, "layers")) {
      aggregates.put(key(Json.block(l), Json.str(l, "component")), Json.dbl(l, "relative_delta"));
    }
    Map<List<Object>, Cell> cells = new LinkedHashMap<>();
    groups.forEach(
        (k, ts) ->
            cells.put(k, new Cell((Integer) k.get(0), (String) k.get(1), ts, aggregates.get(k))));
    return cells;
  }

  static List<Object> key(Integer layer, String component) {
    return java.util.Arrays.asList(layer, component);
  }
}
