package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One part per pair of a trajectory or batch, under the anchor the overview links to: the two
 * checkpoints, the diagnosis in words, the pair's most changed tensors and, when a side is a GGUF
 * file, the quantization view.
 */
final class PairSections {
  private PairSections() {}

  /** Tensors listed per pair: the full table is the pair's own report. */
  static final int TOP_TENSORS = 10;

  static String render(JsonNode doc) {
    StringBuilder out = new StringBuilder();
    List<JsonNode> checkpoints = Json.list(doc, "checkpoints");
    for (JsonNode p : Json.list(doc, "pairs")) {
      out.append("<article class=\"pair\" id=\"")
          .append(TrajectorySections.anchor(p))
          .append("\"><h3>")
          .append(Html.esc(TrajectorySections.label(p)))
          .append(Json.str(p, "kind") == null ? "" : " (" + Html.esc(Json.str(p, "kind")) + ")")
          .append("</h3><dl class=\"meta\">");
      String base = Json.str(p, "base");
      String finetuned = Json.str(p, "finetuned");
      if (base == null && Json.integer(p, "from") != null) {
        base = checkpoints.get(Json.integer(p, "from")).asText();
        finetuned = checkpoints.get(Json.integer(p, "to")).asText();
      }
      meta(out, "Base", base);
      meta(out, "Fine-tuned", finetuned);
      out.append("</dl>");
      if (Json.str(p, "error") != null) {
        out.append("<p class=\"failed\">failed: ")
            .append(Html.esc(Json.str(p, "error")))
            .append("</p></article>");
        continue;
      }
      String summary = Json.str(p.get("diagnosis"), "summary");
      if (summary != null) {
        out.append("<p class=\"diagnosis-summary\">").append(Html.esc(summary)).append("</p>");
      }
      List<JsonNode> tensors = WeightDiffSections.withReshaped(p);
      if (!tensors.isEmpty()) {
        out.append(TensorTable.render(tensors, TOP_TENSORS));
      }
      String quantization = QuantizationSection.body(p); // a GGUF side, as a pair's page has it
      if (quantization != null) {
        out.append("<div class=\"quantization\">").append(quantization).append("</div>");
      }
      out.append("</article>");
    }
    return out.toString();
  }

  private static void meta(StringBuilder out, String label, String value) {
    if (value == null) {
      return;
    }
    out.append("<div><dt>")
        .append(Html.esc(label))
        .append("</dt><dd>")
        .append(Html.esc(value))
        .append("</dd></div>");
  }
}
