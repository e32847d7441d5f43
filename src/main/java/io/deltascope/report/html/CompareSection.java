package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.model.Layers;
import java.util.ArrayList;
import java.util.List;

/** The logit lens of each model (layer x top-k tokens) and the tracked tokens by layer. */
final class CompareSection {
  private CompareSection() {}

  static HtmlReport.Section of(JsonNode doc) {
    List<JsonNode> models = Json.list(doc, "models");
    StringBuilder out =
        new StringBuilder("<p class=\"prompt-line\">Prompt: <q class=\"prompt\">")
            .append(Html.esc(Json.str(doc, "prompt")))
            .append("</q></p><div class=\"lenses\">");
    for (JsonNode m : models) {
      lens(out, m);
    }
    out.append("</div>");
    tracked(out, models);
    return new HtmlReport.Section("compare", "Logit lens", out.toString());
  }

  private static void lens(StringBuilder out, JsonNode m) {
    String model = Json.str(m, "model");
    List<JsonNode> layers = Json.list(m, "layers");
    int k = Json.list(m, "final").size();
    for (JsonNode l : layers) {
      k = Math.max(k, Json.list(l, "top").size());
    }
    out.append("<figure class=\"lens\" data-model=\"")
        .append(Html.esc(model))
        .append("\"><figcaption><h3>")
        .append(Html.esc(Header.short_(model == null ? "" : model)))
        .append("</h3><span class=\"tokens\">")
        .append(Html.esc(ActivationSection.tokens(m.get("tokens"))))
        .append(
            "</span></figcaption><div class=\"scroll\"><table class=\"lens-grid\"><thead><tr><th scope=\"col\">Layer</th>");
    for (int r = 1; r <= k; r++) {
      out.append("<th scope=\"col\">#").append(r).append("</th>");
    }
    out.append("</tr></thead><tbody>");
    for (JsonNode l : layers) {
      Integer layer = Json.integer(l, "layer");
      row(out, model, layer == null ? "?" : Layers.label(layer), Json.list(l, "top"), k, "");
    }
    if (m.has("final")) {
      row(out, model, "final", Json.list(m, "final"), k, " class=\"final\"");
    }
    out.append("</tbody></table></div>");
    Integer bad = Json.integer(m, "first_non_finite_layer");
    if (bad != null) {
      out.append("<p class=\"warn non-finite\">Hidden states first stop being finite at layer ")
          .append(Html.esc(Layers.label(bad)))
          .append(": the probabilities from there on are not numbers.</p>");
    }
    out.append("</figure>");
  }

  private static void row(
      StringBuilder out, String model, String layer, List<JsonNode> top, int k, String cls) {
    out.append("<tr")
        .append(cls)
        .append("><th scope=\"row\">")
        .append(Html.esc(layer))
        .append("</th>");
    for (int r = 0; r < k; r++) {
      if (r >= top.size()) {
        out.append("<td class=\"empty\"></td>");
        continue;
      }
      JsonNode t = top.get(r);
      Double p = Json.dbl(t, "prob");
      double shade = p == null ? 0 : Math.sqrt(Math.max(0, Math.min(1, p)));
      String token = Json.str(t, "token");
      String tip =
          Header.short_(model == null ? "" : model)
              + " \u00b7 layer "
              + layer
              + " \u00b7 #"
              + (r + 1)
              + "\ntoken \u201c"
              + (token == null ? "" : token)
              + "\u201d (id "
              + Json.str(t, "id")
              + ")"
              + "\np = "
              + Numbers.exact(p);
      out.append("<td class=\"tok-cell\" tabindex=\"0\" style=\"background:")
          .append(Viridis.at(shade))
          .append(";color:")
          .append(Viridis.textOn(shade))
          .append("\" data-token-id=\"")
          .append(Html.esc(Json.str(t, "id")))
          .append("\" data-prob=\"")
          .append(Numbers.raw(p))
          .append("\" data-tip=\"")
          .append(Html.esc(tip))
          .append("\"><span class=\"tok\">")
          .append(Html.token(token))
          .append("</span><span class=\"p\">")
          .append(Html.esc(Numbers.percent(p)))
          .append("</span></td>");
    }
    out.append("</tr>");
  }

  private static void tracked(StringBuilder out, List<JsonNode> models) {
    LineChart chart =
        new LineChart("tracked-chart", "layer", "probability")
            .logY()
            .xTicks(t -> Layers.label((int) t));
    StringBuilder rows = new StringBuilder();
    for (JsonNode m : models) {
      String model = Header.short_(Json.str(m, "model") == null ? "" : Json.str(m, "model"));
      for (JsonNode t : Json.list(m, "tracked")) {
        String token = Json.str(t, "token");
        Integer emergence = Json.integer(t, "emergence_layer");
        List<Double> probs = Json.doubles(t, "prob_by_layer");
        List<LineChart.Point> points = new ArrayList<>();
        for (int i = 0; i < probs.size(); i++) {
          double p = probs.get(i);
          int l = Layers.ofResidual(i);
          boolean emerges = emergence != null && emergence == l;
          String tip =
              model
                  + ": \u201c"
                  + token
                  + "\u201d\nlayer "
                  + Layers.label(l)
                  + ": p = "
                  + Numbers.exact(p)
                  + (emerges ? "\nemerges here (first layer where it is the top-1 token)" : "");
          points.add(new LineChart.Point(l, p, tip, emerges ? "emergence" : null));
        }
        chart.add(
            new LineChart.Series(
                model
                    + ": \u201c"
                    + ActivationSection.visible(token == null ? "" : token)
                    + "\u201d",
                points));
        rows.append("<tr><td class=\"tok\">")
            .append(Html.token(token))
            .append("</td><td class=\"num\" data-v=\"")
            .append(Html.esc(Json.str(t, "id")))
            .append("\">")
            .append(Html.esc(Json.str(t, "id")))
            .append(" ")
            .append(Html.token(Json.str(t, "id_token")))
            .append(Json.str(t, "note") == null ? "" : " (" + Html.esc(Json.str(t, "note")) + ")")
            .append("</td><td>")
            .append(Html.esc(model))
            .append("</td><td class=\"num emergence\" data-v=\"")
            .append(emergence == null ? "" : emergence)
            .append("\">")
            .append(emergence == null ? "never top-1" : "layer " + Layers.label(emergence))
            .append("</td>");
        TensorTable.num(rows, Json.dbl(t, "final_prob"));
        rows.append("</tr>");
      }
    }
    if (rows.length() == 0) {
      return;
    }
    out.append(
            "<h3>Tracked tokens</h3><p class=\"note\">Probability of each tracked token by layer; \u25c6 marks where it emerges (first layer where it is the top-1 token).</p>")
        .append(chart.render())
        .append("<div class=\"scroll\"><table class=\"tracked sortable\"><thead><tr>")
        .append(TensorTable.th("Token", "text"))
        .append(TensorTable.th("Id", "num"))
        .append(TensorTable.th("Model", "text"))
        .append(TensorTable.th("Emerges at", "num"))
        .append(TensorTable.th("Final probability", "num"))
        .append("</tr></thead><tbody>")
        .append(rows)
        .append("</tbody></table></div>");
  }
}
