package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The overview of a trajectory or a batch: the checkpoints in order, the findings over the steps,
 * and one row per pair (its diagnosis kind and profile, headline numbers, a link to its section).
 */
final class PairOverview {
  private PairOverview() {}

  static String render(JsonNode doc) {
    StringBuilder out = new StringBuilder();
    List<JsonNode> checkpoints = Json.list(doc, "checkpoints");
    if (!checkpoints.isEmpty()) {
      out.append("<h3>Checkpoints</h3><ol class=\"checkpoints\" start=\"0\">");
      for (JsonNode c : checkpoints) {
        out.append("<li>").append(Html.esc(c.asText())).append("</li>");
      }
      out.append("</ol>");
    }
    List<JsonNode> findings = Json.list(doc, "findings");
    if (!findings.isEmpty()) {
      out.append("<h3>Findings over the steps</h3>");
      FindingsList.render(out, findings);
    }
    out.append("<div class=\"scroll\"><table class=\"pairs-table sortable\"><thead><tr>")
        .append(TensorTable.th("Pair", "text"))
        .append(TensorTable.th("Kind", "text"))
        .append(TensorTable.th("Diagnosis", "text"))
        .append(TensorTable.th("Profile", "text"))
        .append(TensorTable.th("Mean relative change", "num"))
        .append(TensorTable.th("Max relative change", "num"))
        .append(TensorTable.th("Mean cosine", "num"))
        .append(TensorTable.th("Tensors compared", "num"))
        .append("</tr></thead><tbody>");
    for (JsonNode p : Json.list(doc, "pairs")) {
      row(out, p);
    }
    return out.append("</tbody></table></div>").toString();
  }

  private static void row(StringBuilder out, JsonNode p) {
    JsonNode s = p.get("summary");
    out.append("<tr data-pair=\"")
        .append(Html.esc(Json.str(p, "name")))
        .append("\"><td class=\"name\"><a href=\"#")
        .append(TrajectorySections.anchor(p))
        .append("\">")
        .append(Html.esc(TrajectorySections.label(p)))
        .append("</a></td><td>")
        .append(Html.esc(orDash(Json.str(p, "kind"))))
        .append("</td>");
    if (Json.str(p, "error") != null) {
      out.append("<td class=\"failed\" colspan=\"6\">failed: ")
          .append(Html.esc(Json.str(p, "error")))
          .append("</td></tr>");
      return;
    }
    String kind = Json.str(p.get("diagnosis"), "kind");
    out.append("<td class=\"diagnosis-kind\" data-v=\"")
        .append(Html.esc(orDash(kind)))
        .append("\">")
        .append(Html.esc(kind == null ? Numbers.MISSING : kind.replace('_', ' ')))
        .append("</td><td>")
        .append(Html.esc(orDash(Json.str(p.get("diagnosis"), "profile"))))
        .append("</td>");
    TensorTable.num(out, Json.dbl(s, "mean_relative_delta"));
    TensorTable.num(out, Json.dbl(s, "max_relative_delta"));
    TensorTable.num(out, Json.dbl(s, "mean_cosine"));
    long compared = Json.lng(s, "tensors_compared");
    out.append("<td class=\"num\" data-v=\"")
        .append(compared)
        .append("\">")
        .append(Numbers.count(compared))
        .append("</td></tr>");
  }

  private static String orDash(String s) {
    return s == null ? Numbers.MISSING : s;
  }
}
