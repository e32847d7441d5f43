package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.results.Metric;
import java.util.Comparator;
import java.util.List;

/**
 * The changed tensors as a table sortable by any column (the script sorts on click): every tensor
 * on a pair's own page, with a filter box and a CSV download of the rows' exact values; the most
 * changed few in a trajectory's or batch's pair sections.
 */
final class TensorTable {
  private TensorTable() {}

  /**
   * Every tensor, the largest relative change first (those without one last), with the filter box
   * and the CSV download the script wires up.
   */
  static String complete(List<JsonNode> tensors) {
    return "<div class=\"tensor-table\"><div class=\"table-tools\"><input type=\"search\" class=\"table-filter\""
        + " placeholder=\"Filter tensors: name or component\" aria-label=\"Filter tensors\">"
        + " <span class=\"filter-count\" aria-live=\"polite\"></span>"
        + " <button type=\"button\" class=\"csv-download\" data-file=\"tensors.csv\">"
        + "Download CSV</button></div>"
        + table(
            tensors,
            tensors.size(),
            "All "
                + tensors.size()
                + " tensors, the largest"
                + " relative change first; type to filter, click a column to sort.")
        + "</div>";
  }

  static String render(List<JsonNode> tensors, int n) {
    int shown = (int) Math.min(n, tensors.stream().filter(TensorTable::hasChange).count());
    return table(
        tensors,
        n,
        "The "
            + shown
            + " of "
            + tensors.size()
            + " tensors with the largest relative change; click a column to sort.");
  }

  private static boolean hasChange(JsonNode t) {
    return Json.dbl(t, Metric.RELATIVE_DELTA.column()) != null;
  }

  /** The {@code n} largest relative changes; with n = all, the rest after them. */
  private static String table(List<JsonNode> tensors, int n, String note) {
    List<JsonNode> top =
        n >= tensors.size() ? tensors.stream().sorted(BY_CHANGE).toList() : mostChanged(tensors, n);
    boolean spectra = top.stream().anyMatch(t -> Json.has(t, Metric.EFFECTIVE_RANK.column()));
    List<Metric> metrics =
        Metric.TABLE.stream().filter(m -> spectra || m.source() != Metric.Source.SPECTRUM).toList();
    StringBuilder out =
        new StringBuilder("<p class=\"note\">")
            .append(Html.esc(note))
            .append("</p>")
            .append("<div class=\"scroll\"><table class=\"tensors sortable\"><thead><tr>")
            .append(th("#", "num"))
            .append(th("Tensor", "text", "name"))
            .append(th("Layer", "num", "layer"))
            .append(th("Component", "text", "component"))
            .append(th("Shape", "text", "shape"))
            .append(th("Params", "num", "n_params"));
    metrics.forEach(m -> out.append(th(m.label(), "num", m.column())));
    out.append("</tr></thead><tbody>");
    int rank = 1;
    for (JsonNode t : top) {
      out.append("<tr data-tensor=\"").append(Html.esc(Json.str(t, "name"))).append("\">");
      out.append("<td class=\"num\" data-v=\"")
          .append(rank)
          .append("\">")
          .append(rank++)
          .append("</td>");
      out.append("<td class=\"name\" data-v=\"")
          .append(Html.esc(Json.str(t, "name")))
          .append("\">")
          .append(Html.esc(Json.str(t, "name")));
      if (t.has("common_rows")) {
        out.append(" <span class=\"kind\">reshaped: ")
            .append(Numbers.count(Json.lng(t, "common_rows")))
            .append(" common rows</span>");
      }
      out.append("</td>");
      Integer layer = Json.block(t);
      out.append("<td class=\"num\" data-v=\"")
          .append(layer == null ? "" : layer)
          .append("\">")
          .append(layer == null ? Numbers.MISSING : layer)
          .append("</td>");
      out.append("<td>").append(Html.esc(Json.str(t, "component"))).append("</td>");
      List<String> dims = Json.list(t, "shape").stream().map(JsonNode::asText).toList();
      out.append("<td class=\"shape\" data-v=\"")
          .append(Html.esc(String.join("x", dims)))
          .append("\">")
          .append(Html.esc(String.join(" \u00d7 ", dims)))
          .append("</td>");
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

  /** The largest relative change first, tensors without one last. */
  private static final Comparator<JsonNode> BY_CHANGE =
      Comparator.comparing(
          (JsonNode t) -> Json.dbl(t, Metric.RELATIVE_DELTA.column()),
          Comparator.nullsLast(Comparator.<Double>reverseOrder()));

  /** The {@code n} tensors with the largest relative change, largest first. */
  static List<JsonNode> mostChanged(List<JsonNode> tensors, int n) {
    return tensors.stream().filter(TensorTable::hasChange).sorted(BY_CHANGE).limit(n).toList();
  }

  static String th(String label, String type) {
    return th(label, type, null);
  }

  /** A sortable header; {@code column} names the column in the CSV download (null: left out). */
  static String th(String label, String type, String column) {
    return "<th scope=\"col\" data-type=\""
        + type
        + (column == null ? "" : "\" data-col=\"" + Html.esc(column))
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
