package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * Findings as a list: severity and category written out (never colour alone), title, detail: a
 * pair's diagnosis and a trajectory's findings alike.
 */
final class FindingsList {
  private FindingsList() {}

  static void render(StringBuilder out, List<JsonNode> findings) {
    if (findings.isEmpty()) {
      return;
    }
    out.append("<ul class=\"findings\">");
    for (JsonNode f : findings) {
      String severity = Json.str(f, "severity");
      String sev = severity == null ? "info" : severity.toLowerCase(Locale.ROOT);
      out.append("<li class=\"finding sev-")
          .append(Html.esc(sev.replaceAll("[^a-z]", "")))
          .append("\" data-category=\"")
          .append(Html.esc(Json.str(f, "category")))
          .append("\"><span class=\"severity\">")
          .append(Html.esc(sev))
          .append("</span> <span class=\"category\">")
          .append(Html.esc(Json.str(f, "category")))
          .append("</span> <strong class=\"title\">")
          .append(Html.esc(Json.str(f, "title")))
          .append("</strong><p class=\"detail\">")
          .append(Html.esc(Json.str(f, "detail")))
          .append("</p></li>");
    }
    out.append("</ul>");
  }
}
