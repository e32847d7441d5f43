package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** The most changed tensors as a table sortable by any column (the script sorts on click). */
final class TensorTable {
  private TensorTable() {}

  static String render(List<JsonNode> tensors, int n) {
    List<JsonNode> top =
        tensors.stream()
            .filter(t -> Json.dbl(t, "relative_delta") != null)
            .sorted(
                Comparator.comparingDouble((JsonNode t) -> Json.dbl(t, "relative_delta"))
                    .reversed())
            .limit(n)
            .toList();
    boolean spectra = top.stream().anyMatch(t -> Json.has(t, "effective_rank"));
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
            .append(th("Params", "num"))
            .append(th("Relative change", "num"))
            .append(th("Cosine", "num"))
            .append(th("Max |\u0394|", "num"))
            .append(th("Unchanged", "num"));
    if (spectra) {
      out.append(th("Effective rank", "num")).append(th("Top-k energy", "num"));
    }
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
      num(out, Json.dbl(t, "relative_delta"));
      num(out, Json.dbl(t, "cosine"));
      num(out, Json.dbl(t, "max_abs_diff"));
      Double zero = Json.dbl(t, "zero_fraction");
      out.append("<td class=\"num\" data-v=\"")
          .append(Numbers.raw(zero))
          .append("\">")
          .append(Numbers.percent(zero))
          .append("</td>");
      if (spectra) {
        num(out, Json.dbl(t, "effective_rank"));
        num(out, Json.dbl(t, "top_k_energy_share"));
      }
      out.append("</tr>");
    }
    return out.append("</tbody></table></div>").toString();
  }

  static String th(String label, String type) {
    return "<th scope=\"col\" data-type=\""
        + type
        + "\" tabindex=\"0\" aria-sort=\"none\">"
        + Html.esc(label)
        + "</th>";
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
