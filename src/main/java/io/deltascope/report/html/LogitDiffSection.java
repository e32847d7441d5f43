package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * logit-diff: the headline figures as cards, KL's distribution on a log scale, per-prompt figures
 * and the positions of largest KL with both models' predictions side by side.
 */
final class LogitDiffSection {
  private LogitDiffSection() {}

  private static final int WIDTH = 640;
  private static final int HEIGHT = 180;
  private static final int PAD = 30;

  static HtmlReport.Section of(JsonNode doc) {
    StringBuilder out = new StringBuilder();
    JsonNode s = doc.get("summary");
    if (s != null) {
      out.append("<div class=\"figures logit-figures\">");
      Header.figure(out, "kl-mean", Numbers.num(Json.dbl(s, "kl_mean")), "mean KL (nats)");
      Header.figure(out, "kl-p99", Numbers.num(Json.dbl(s, "kl_p99")), "99th percentile KL");
      Header.figure(out, "top1", Numbers.percent(Json.dbl(s, "top1_agreement")), "top-1 agreement");
      Header.figure(
          out, "ppl-base", Numbers.num(Json.dbl(s, "perplexity_base")), "perplexity, base");
      Header.figure(
          out,
          "ppl-finetuned",
          Numbers.num(Json.dbl(s, "perplexity_finetuned")),
          "perplexity, fine-tuned");
      Header.figure(
          out, "positions", Numbers.count(Json.lng(s, "positions")), "positions compared");
      out.append("</div>");
    }
    out.append(
        "<p class=\"note\">KL(P\u2016Q) of the base's next-token distribution P against the"
            + " fine-tune's Q at every position, in nats; top-1 agreement is the share of positions"
            + " where both predict the same token.</p>");
    histogram(out, doc.get("kl_histogram"));
    prompts(out, Json.list(doc, "prompts"));
    top(out, Json.list(doc, "top_positions"));
    return new HtmlReport.Section("logit-diff", "Next-token predictions", out.toString());
  }

  /** Bars over log10 bins of KL, with the positions below the first edge as their own bar. */
  private static void histogram(StringBuilder out, JsonNode h) {
    if (h == null) {
      return;
    }
    List<Double> edges = Json.doubles(h, "log10_edges");
    List<JsonNode> counts = Json.list(h, "counts");
    long below = Json.lng(h, "below_first_edge");
    int bars = counts.size() + 1;
    long max = below;
    for (JsonNode c : counts) {
      max = Math.max(max, c.asLong());
    }
    double w = (WIDTH - 2.0 * PAD) / bars;
    out.append("<figure class=\"kl-histogram\"><svg viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"KL divergence histogram, log scale\">");
    for (int b = 0; b < bars; b++) {
      long n = b == 0 ? below : counts.get(b - 1).asLong();
      String range =
          b == 0
              ? "KL < 1e" + fmt(edges.get(0))
              : "1e" + fmt(edges.get(b - 1)) + " \u2264 KL < 1e" + fmt(edges.get(b));
      double barH = max == 0 ? 0 : (HEIGHT - 2.0 * PAD) * n / max;
      double x = PAD + b * w;
      out.append(
              String.format(
                  java.util.Locale.ROOT,
                  "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" data-count=\"%d\" data-tip=\"",
                  x,
                  HEIGHT - PAD - barH,
                  w - 1,
                  barH,
                  n))
          .append(Html.esc(range + ": " + Numbers.count(n) + " positions"))
          .append("\"></rect>");
      if (b > 0 && (b - 1) % 4 == 0) {
        out.append(
                String.format(
                    java.util.Locale.ROOT,
                    "<text class=\"tick\" x=\"%.1f\" y=\"%d\">1e",
                    x,
                    HEIGHT - PAD + 14))
            .append(fmt(edges.get(b - 1)))
            .append("</text>");
      }
    }
    out.append(
            "</svg><figcaption>KL per position, log-spaced bins (half a decade each);"
                + " the first bar holds KL below 1e")
        .append(edges.isEmpty() ? "" : fmt(edges.get(0)))
        .append(", zero included.</figcaption></figure>");
  }

  private static void prompts(StringBuilder out, List<JsonNode> prompts) {
    if (prompts.isEmpty()) {
      return;
    }
    out.append(
            "<h3>By prompt</h3><div class=\"scroll\"><table class=\"logit-prompts sortable\"><thead><tr>")
        .append(TensorTable.th("Prompt", "text"))
        .append(TensorTable.th("Positions", "num"))
        .append(TensorTable.th("Mean KL", "num"))
        .append(TensorTable.th("Max KL", "num"))
        .append(TensorTable.th("Top-1 agreement", "num"))
        .append(TensorTable.th("Perplexity base", "num"))
        .append(TensorTable.th("Perplexity fine-tuned", "num"))
        .append("</tr></thead><tbody>");
    for (JsonNode p : prompts) {
      out.append("<tr><td><q class=\"prompt\">")
          .append(Html.esc(Json.str(p, "prompt")))
          .append("</q></td>");
      TensorTable.num(out, (double) Json.lng(p, "positions"));
      TensorTable.num(out, Json.dbl(p, "kl_mean"));
      TensorTable.num(out, Json.dbl(p, "kl_max"));
      TensorTable.num(out, Json.dbl(p, "top1_agreement"));
      TensorTable.num(out, Json.dbl(p, "perplexity_base"));
      TensorTable.num(out, Json.dbl(p, "perplexity_finetuned"));
      out.append("</tr>");
    }
    out.append("</tbody></table></div>");
  }

  private static void top(StringBuilder out, List<JsonNode> top) {
    if (top.isEmpty()) {
      return;
    }
    out.append(
            "<h3>Where predictions moved most</h3><div class=\"scroll\"><table class=\"logit-top\"><thead><tr>")
        .append(
            "<th scope=\"col\">KL</th><th scope=\"col\">Prompt</th><th scope=\"col\">Position</th>")
        .append("<th scope=\"col\">Token \u2192 next</th><th scope=\"col\">Base predicts</th>")
        .append("<th scope=\"col\">Fine-tuned predicts</th></tr></thead><tbody>");
    for (JsonNode t : top) {
      out.append("<tr>");
      TensorTable.num(out, Json.dbl(t, "kl"));
      out.append("<td><q class=\"prompt\">")
          .append(Html.esc(Json.str(t, "prompt")))
          .append("</q></td><td class=\"num\">")
          .append(Json.integer(t, "position"))
          .append("</td><td class=\"token\">")
          .append(Html.token(Json.str(t, "token")))
          .append(" \u2192 ")
          .append(t.path("next_token").isNull() ? "(end)" : Html.token(Json.str(t, "next_token")))
          .append("</td>");
      predictions(out, Json.list(t, "base"), "base");
      predictions(out, Json.list(t, "finetuned"), "finetuned");
      out.append("</tr>");
    }
    out.append("</tbody></table></div>");
  }

  private static void predictions(StringBuilder out, List<JsonNode> predictions, String side) {
    out.append("<td><ol class=\"predictions ").append(side).append("\">");
    for (JsonNode p : predictions) {
      out.append("<li><span class=\"token\">")
          .append(Html.token(Json.str(p, "token")))
          .append("</span> <span class=\"prob\">")
          .append(Numbers.percent(Json.dbl(p, "prob")))
          .append("</span></li>");
    }
    out.append("</ol></td>");
  }

  private static String fmt(double log10) {
    return log10 == Math.rint(log10) ? String.valueOf((long) log10) : String.valueOf(log10);
  }
}
