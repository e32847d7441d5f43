package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Steps x layers: each layer's relative change over all its tensors, one row per pair, the
 * cumulative view beside the consecutive one, each with its own colour scale.
 */
final class StepHeatmaps {
  private StepHeatmaps() {}

  static String render(JsonNode doc) {
    TreeSet<Integer> layers = new TreeSet<>();
    for (JsonNode p : Json.list(doc, "pairs")) {
      for (JsonNode l : Json.list(p, "by_layer")) {
        if (Json.integer(l, "layer") != null) {
          layers.add(Json.integer(l, "layer"));
        }
      }
    }
    if (layers.isEmpty()) {
      return "<p class=\"none\">No tensor inside the layers was compared.</p>";
    }
    StringBuilder out = new StringBuilder("<div class=\"side-by-side\">");
    table(out, "cumulative", "Cumulative (0 \u2192 k)", TrajectorySections.cumulative(doc), layers);
    table(
        out,
        "consecutive",
        "Consecutive (k\u22121 \u2192 k)",
        TrajectorySections.consecutive(doc),
        layers);
    return out.append("</div>").toString();
  }

  private static void table(
      StringBuilder out, String view, String title, List<JsonNode> pairs, TreeSet<Integer> layers) {
    double lo = 0;
    double hi = 0;
    for (JsonNode p : pairs) {
      for (Integer layer : layers) {
        Double v = value(p, layer);
        hi = v == null ? hi : Math.max(hi, v);
      }
    }
    out.append("<figure class=\"heatmap view\" data-view=\"")
        .append(view)
        .append("\"><figcaption><h3>")
        .append(Html.esc(title))
        .append("</h3>");
    Heatmaps.legend(out, lo, hi);
    out.append(
        "</figcaption><div class=\"scroll\"><table class=\"hm steps\"><thead><tr><th scope=\"col\">Pair</th>");
    for (Integer layer : layers) {
      out.append("<th scope=\"col\"><span>").append(layer).append("</span></th>");
    }
    out.append("</tr></thead><tbody>");
    for (JsonNode p : pairs) {
      out.append("<tr><th scope=\"row\">")
          .append(Html.esc(TrajectorySections.label(p)))
          .append("</th>");
      for (Integer layer : layers) {
        cell(out, p, layer, value(p, layer), lo, hi);
      }
      out.append("</tr>");
    }
    out.append("</tbody></table></div></figure>");
  }

  private static void cell(
      StringBuilder out, JsonNode pair, int layer, Double v, double lo, double hi) {
    if (v == null) {
      out.append("<td class=\"cell empty\"></td>");
      return;
    }
    double t = Heatmaps.position(v, lo, hi);
    out.append("<td class=\"cell\" tabindex=\"0\" style=\"background:")
        .append(Viridis.at(t))
        .append(";color:")
        .append(Viridis.textOn(t))
        .append("\" data-pair=\"")
        .append(Html.esc(Json.str(pair, "name")))
        .append("\" data-layer=\"")
        .append(layer)
        .append("\" data-value=\"")
        .append(Numbers.raw(v))
        .append("\" data-tip=\"")
        .append(
            Html.esc(
                "Layer "
                    + layer
                    + "\n"
                    + TrajectorySections.label(pair)
                    + ": relative change "
                    + Numbers.exact(v)))
        .append("\">")
        .append(Html.esc(Numbers.sig(v, 3)))
        .append("</td>");
  }

  private static Double value(JsonNode pair, int layer) {
    for (JsonNode l : Json.list(pair, "by_layer")) {
      if (Objects.equals(Json.integer(l, "layer"), layer)) {
        return Json.dbl(l, "relative_delta");
      }
    }
    return null;
  }
}
