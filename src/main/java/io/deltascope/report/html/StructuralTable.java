package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Collectors;

/** Added, removed, reshaped and retyped tensors; ties and non-numeric tensors as notes. */
final class StructuralTable {
  private StructuralTable() {}

  static String render(JsonNode s) {
    StringBuilder rows = new StringBuilder();
    int changes = 0;
    for (JsonNode n : Json.list(s, "only_in_base")) {
      row(rows, "removed", "only in the base", n.asText(), "", "");
      changes++;
    }
    for (JsonNode n : Json.list(s, "only_in_finetuned")) {
      row(rows, "added", "only in the fine-tune", n.asText(), "", "");
      changes++;
    }
    for (JsonNode c : Json.list(s, "shape_changed")) {
      Long common = c.hasNonNull("common_rows") ? c.get("common_rows").asLong() : null;
      String note =
          common == null
              ? "not compared"
              : "compared on the " + Numbers.count(common) + " common rows";
      Double rel = Json.dbl(c.get("metrics_on_common_rows"), "relative_delta");
      if (rel != null) {
        note += ": relative change " + Numbers.num(rel);
      }
      row(
          rows,
          "reshaped",
          note,
          Json.str(c, "name"),
          shape(c.get("shape_base")),
          shape(c.get("shape_finetuned")));
      changes++;
    }
    for (JsonNode c : Json.list(s, "dtype_changed")) {
      row(
          rows,
          "dtype",
          "stored type changed",
          Json.str(c, "name"),
          Json.str(c, "dtype_base"),
          Json.str(c, "dtype_finetuned"));
      changes++;
    }
    for (JsonNode t : Json.list(s, "tied")) {
      row(
          rows,
          "tied",
          "tied to " + Json.str(t, "tied_to") + " (" + Json.str(t, "side") + ")",
          Json.str(t, "name"),
          "",
          "");
    }
    for (JsonNode n : Json.list(s, "not_numeric")) {
      row(rows, "not-numeric", "integer or bool: no metrics", n.asText(), "", "");
    }
    StringBuilder out = new StringBuilder();
    if (changes == 0) {
      out.append(
          "<p class=\"none\">No structural changes: the same tensor names, shapes and stored types on both sides.</p>");
    }
    if (rows.length() > 0) {
      out.append("<div class=\"scroll\"><table class=\"structural sortable\"><thead><tr>")
          .append(TensorTable.th("Change", "text"))
          .append(TensorTable.th("Tensor", "text"))
          .append(TensorTable.th("Base", "text"))
          .append(TensorTable.th("Fine-tuned", "text"))
          .append(TensorTable.th("Note", "text"))
          .append("</tr></thead><tbody>")
          .append(rows)
          .append("</tbody></table></div>");
    }
    return out.toString();
  }

  private static void row(
      StringBuilder out, String kind, String note, String name, String base, String ft) {
    out.append("<tr class=\"change-")
        .append(kind)
        .append("\"><td><span class=\"kind\">")
        .append(Html.esc(kind))
        .append("</span></td><td class=\"name\">")
        .append(Html.esc(name))
        .append("</td><td>")
        .append(Html.esc(base))
        .append("</td><td>")
        .append(Html.esc(ft))
        .append("</td><td>")
        .append(Html.esc(note))
        .append("</td></tr>");
  }

  private static String shape(JsonNode dims) {
    if (dims == null || !dims.isArray()) {
      return "";
    }
    return java.util.stream.StreamSupport.stream(dims.spliterator(), false)
        .map(JsonNode::asText)
        .collect(Collectors.joining(" \u00d7 "));
  }
}
