package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Per-layer line charts over a trajectory's checkpoints, one line per component, for relative
 * change, cosine and effective rank: the cumulative view (0 -> k) beside the consecutive one (k-1
 * -> k), both plotted at checkpoint k.
 */
final class StepCharts {
  private StepCharts() {}

  /** A charted metric: its field in {@code by_component} and its axis label. */
  record Charted(String field, String label) {}

  static final List<Charted> METRICS =
      List.of(
          new Charted("relative_delta", "relative change"),
          new Charted("cosine", "cosine"),
          new Charted("effective_rank", "effective rank"));

  static String render(JsonNode doc) {
    List<JsonNode> cumulative = TrajectorySections.cumulative(doc);
    List<JsonNode> consecutive = TrajectorySections.consecutive(doc);
    TreeSet<Integer> layers = new TreeSet<>();
    for (JsonNode p : Json.list(doc, "pairs")) {
      for (JsonNode c : Json.list(p, "by_component")) {
        if (Json.integer(c, "layer") != null) {
          layers.add(Json.integer(c, "layer"));
        }
      }
    }
    StringBuilder out =
        new StringBuilder(
            "<p class=\"note\">Each chart is one layer; each line one component, plotted at the"
                + " later checkpoint of its pair. Cumulative: against checkpoint 0. Consecutive:"
                + " against the checkpoint before.</p>");
    for (Charted m : METRICS) {
      if (!anyValue(doc, m.field())) {
        continue;
      }
      out.append("<h3>").append(Html.esc(capitalized(m.label()))).append("</h3>");
      for (Integer layer : layers) {
        out.append("<div class=\"side-by-side\" data-metric=\"")
            .append(m.field())
            .append("\" data-layer=\"")
            .append(layer)
            .append("\">");
        view(
            out,
            "cumulative",
            "Layer " + layer + ", cumulative (0 \u2192 k)",
            cumulative,
            layer,
            m);
        view(
            out,
            "consecutive",
            "Layer " + layer + ", consecutive (k\u22121 \u2192 k)",
            consecutive,
            layer,
            m);
        out.append("</div>");
      }
    }
    return out.toString();
  }

  private static void view(
      StringBuilder out, String view, String title, List<JsonNode> pairs, int layer, Charted m) {
    List<String> components = new ArrayList<>();
    for (JsonNode p : pairs) {
      for (JsonNode c : Json.list(p, "by_component")) {
        String component = Json.str(c, "component");
        if (Objects.equals(Json.integer(c, "layer"), layer) && !components.contains(component)) {
          components.add(component);
        }
      }
    }
    components.sort(Heatmaps.COMPONENTS);
    LineChart chart = new LineChart("step-chart", "checkpoint", m.label());
    for (String component : components) {
      List<LineChart.Point> points = new ArrayList<>();
      for (JsonNode p : pairs) {
        Double v = value(p, layer, component, m.field());
        if (v != null) {
          points.add(
              new LineChart.Point(
                  Json.integer(p, "to"),
                  v,
                  "Layer "
                      + layer
                      + " \u00b7 "
                      + component
                      + "\n"
                      + TrajectorySections.label(p)
                      + ": "
                      + m.label()
                      + " "
                      + Numbers.exact(v),
                  null));
        }
      }
      chart.add(new LineChart.Series(component, points));
    }
    out.append("<div class=\"view\" data-view=\"")
        .append(view)
        .append("\"><h4>")
        .append(Html.esc(title))
        .append("</h4>")
        .append(chart.render())
        .append("</div>");
  }

  /** The metric of (layer, component) in a pair's {@code by_component}; null when absent. */
  static Double value(JsonNode pair, int layer, String component, String field) {
    for (JsonNode c : Json.list(pair, "by_component")) {
      if (Objects.equals(Json.integer(c, "layer"), layer)
          && Objects.equals(Json.str(c, "component"), component)) {
        return Json.dbl(c, field);
      }
    }
    return null;
  }

  private static boolean anyValue(JsonNode doc, String field) {
    return Json.list(doc, "pairs").stream()
        .flatMap(p -> Json.list(p, "by_component").stream())
        .anyMatch(c -> Json.dbl(c, field) != null);
  }

  private static String capitalized(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
