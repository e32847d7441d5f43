package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.results.Metric;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** The most changed tensors as a table sortable by any column (the script sorts on click). */
final class TensorTable {
  private TensorTable() {}

  static String render(List<JsonNode> tensors, int n) {
    List<JsonNode> top = mostChanged(tensors, n);
    boolean spectra = top.stream().anyMatch(t -> Json.has(t, Metric.EFFECTIVE_RANK.column()));
    List<Metric> metrics =
        Metric.TABLE.stream().filter(m -> spectra || m.source() != Metric.Source.SPECTRUM).toList();
    StringBuilder out =
        new StringBuilder("<p class=\"note\">The ")
            .append(top.size())
            .append(" of ")
            .append(tensors.size())
            .append(" tensors with the largest relative change; click a column to sort.</p>")
            .append("<div class=\"scroll\"><table class=\"tensors sortable\"><thead><tr>")
            .append(th("#", "num"))
            .append(th("Tensor", "text"))
            .append(th("Layer", "num"))
            .append(th("Component", "text"))
            .append(th("Shape", "text"))
            .append(th("Params", "num"));
    metrics.forEach(m -> out.append(th(m.label(), "num")));
    out.append("</tr></thead><tbody>");
    int rank = 1;
    for (JsonNode t : top) {
      out.append("<tr data-tensor=\"").append(Html.esc(Json.str(t, "name"))).append("\">");
      out.append("<td class=\"num\" data-v=\"")
          .append(rank)
          .append("\">")
          .append(rank++)
          .append("</td>");
      out.append("<td class=\"name\">").append(Html.esc(Json.str(t, "name")));
      if (t.has("common_rows")) {
        out.append(" <span class=\"kind\">reshaped: ")
            .append(Numbers.count(Json.lng(t, "common_rows")))
            .append(" common rows</span>");
      }
      out.append("</td>");
      Integer layer = Json.integer(t, "layer");
      out.append("<td class=\"num\" data-v=\"")
          .append(layer == null ? "" : layer)
          .append("\">")
          .append(layer == null ? Numbers.MISSING : layer)
          .append("</td>");
      out.append("<td>").append(Html.esc(Json.str(t, "component"))).append("</td>");
      String shape =
          Json.list(t, "shape").stream()
              .map(JsonNode::asText)
              .collect(Collectors.joining(" \u00d7 "));
      out.append("<td class=\"shape\">").append(Html.esc(shape)).append("</td>");
      long params = Json.lng(t, "n_params");
      out.append("<td class=\"num\" data-v=\"")
          .append(params)
          .append("\" title=\"")
          .append(Numbers.count(params))
          .append("\">")
          .append(Numbers.params(params))
          .append("</td>");
      metrics.forEach(m -> cell(out, m, Json.dbl(t, m.column())));
      out.append("</tr>");
    }
    return out.append("</tbody></table></div>").toString();
  }

  /** The {@code n} tensors with the largest relative change, largest first. */
  static List<JsonNode> mostChanged(List<JsonNode> tensors, int n) {
    return tensors.stream()
        .filter(t -> Json.dbl(t, Metric.RELATIVE_DELTA.column()) != null)
        .sorted(
            Comparator.comparingDouble((JsonNode t) -> Json.dbl(t, Metric.RELATIVE_DELTA.column()))
                .reversed())
        .limit(n)
        .toList();
  }

  static String th(String label, String type) {
    return "<th scope=\"col\" data-type=\""
        + type
        + "\" tabindex=\"0\" aria-sort=\"none\">"
        + Html.esc(label)
        + "</th>";
  }

  /** A metric's cell, printed as the registry says (fractions as percentages). */
  static void cell(StringBuilder out, Metric m, Double v) {
    if (m.format() != Metric.Format.PERCENT) {
      num(out, v);
      return;
    }
    out.append("<td class=\"num\" data-v=\"")
        .append(Numbers.raw(v))
        .append("\" title=\"")
        .append(Html.esc(Numbers.raw(v)))
        .append("\">")
        .append(Numbers.percent(v))
        .append("</td>");
  }

  static void num(StringBuilder out, Double v) {
    out.append("<td class=\"num\" data-v=\"")
        .append(Numbers.raw(v))
        .append("\" title=\"")
        .append(Html.esc(Numbers.raw(v)))
        .append("\">")
        .append(Html.esc(Numbers.num(v)))
        .append("</td>");
  }
}
