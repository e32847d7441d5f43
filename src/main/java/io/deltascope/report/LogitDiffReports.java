package io.deltascope.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.diff.LogitDiffResult;
import io.deltascope.diff.LogitDiffResult.Prediction;
import io.deltascope.diff.LogitDiffResult.Summary;
import io.deltascope.diff.LogitDiffResult.TopPosition;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** logit-diff as terminal text and as JSON, from the same result. */
public final class LogitDiffReports {
  private LogitDiffReports() {}

  /** The summary block, then the positions of largest KL with both models' predictions. */
  public static String text(LogitDiffResult result) {
    Summary s = result.summary();
    StringBuilder out = new StringBuilder();
    out.append("Base:      ").append(result.base()).append('\n');
    out.append("Finetuned: ").append(result.finetuned()).append('\n');
    out.append(
        String.format(
            Locale.ROOT,
            "Positions: %d over %d prompts (%d with a next token)%n%n",
            s.positions(),
            result.prompts().size(),
            s.scored()));
    out.append(
        String.format(
            Locale.ROOT,
            "KL divergence (nats)   mean %s  median %s  p99 %s  max %s%n",
            num(s.klMean()),
            num(s.klMedian()),
            num(s.klP99()),
            num(s.klMax())));
    out.append(
        String.format(Locale.ROOT, "Top-1 agreement        %.2f%%%n", 100 * s.top1Agreement()));
    out.append(
        String.format(
            Locale.ROOT,
            "Perplexity             base %s  finetuned %s  ratio %s%n",
            num(s.perplexityBase()),
            num(s.perplexityFinetuned()),
            num(s.perplexityFinetuned() / s.perplexityBase())));
    out.append(String.format(Locale.ROOT, "Δp RMS (next token)    %s%n", num(s.deltaPRms())));
    if (!result.top().isEmpty()) {
      out.append("\nPositions of largest KL\n");
      out.append(
          String.format(
              Locale.ROOT,
              "%-4s %-6s %-5s %-24s %-12s%n",
              "#",
              "Prompt",
              "Pos",
              "Token -> next",
              "KL"));
      int rank = 1;
      for (TopPosition t : result.top()) {
        String next = t.nextToken() == null ? "(end)" : ForwardReports.quote(t.nextToken());
        out.append(
            String.format(
                Locale.ROOT,
                "%-4d %-6d %-5d %-24s %-12s%n",
                rank++,
                t.promptIndex() + 1,
                t.position(),
                ForwardReports.quote(t.token()) + " -> " + next,
                num(t.kl())));
        out.append("       base:      ").append(cells(t.base())).append('\n');
        out.append("       finetuned: ").append(cells(t.finetuned())).append('\n');
      }
    }
    return out.toString();
  }

  public static ObjectNode json(LogitDiffResult result) {
    ObjectNode root = JsonReport.MAPPER.createObjectNode();
    root.put("base", result.base());
    root.put("finetuned", result.finetuned());
    root.put("tool_version", Version.get());
    summary(root.putObject("summary"), result.summary());
    ArrayNode prompts = root.putArray("prompts");
    for (LogitDiffResult.PromptSummary p : result.prompts()) {
      ObjectNode node = prompts.addObject();
      node.put("index", p.index());
      node.put("prompt", p.prompt());
      summary(node, p.summary());
    }
    ArrayNode top = root.putArray("top_positions");
    for (TopPosition t : result.top()) {
      ObjectNode node = top.addObject();
      node.put("prompt_index", t.promptIndex());
      node.put("prompt", t.prompt());
      node.put("position", t.position());
      node.put("token", t.token());
      node.put("next_token", t.nextToken());
      JsonReport.putDouble(node, "kl", t.kl());
      node.set("base", predictions(t.base()));
      node.set("finetuned", predictions(t.finetuned()));
    }
    ObjectNode histogram = root.putObject("kl_histogram");
    ArrayNode edges = histogram.putArray("log10_edges");
    for (double e : result.histogram().log10Edges()) {
      edges.add(e);
    }
    ArrayNode counts = histogram.putArray("counts");
    for (long c : result.histogram().counts()) {
      counts.add(c);
    }
    histogram.put("below_first_edge", result.histogram().below());
    return root;
  }

  private static void summary(ObjectNode node, Summary s) {
    node.put("positions", s.positions());
    node.put("scored_positions", s.scored());
    JsonReport.putDouble(node, "kl_mean", s.klMean());
    JsonReport.putDouble(node, "kl_median", s.klMedian());
    JsonReport.putDouble(node, "kl_p99", s.klP99());
    JsonReport.putDouble(node, "kl_max", s.klMax());
    JsonReport.putDouble(node, "top1_agreement", s.top1Agreement());
    JsonReport.putDouble(node, "perplexity_base", s.perplexityBase());
    JsonReport.putDouble(node, "perplexity_finetuned", s.perplexityFinetuned());
    JsonReport.putDouble(node, "delta_p_rms", s.deltaPRms());
  }

  private static ArrayNode predictions(List<Prediction> predictions) {
    ArrayNode out = JsonReport.MAPPER.createArrayNode();
    for (Prediction p : predictions) {
      ObjectNode node = out.addObject();
      node.put("id", p.id());
      node.put("token", p.token());
      JsonReport.putDouble(node, "prob", p.prob());
    }
    return out;
  }

  private static String cells(List<Prediction> predictions) {
    return predictions.stream()
        .map(p -> String.format(Locale.ROOT, "%s %.4f", ForwardReports.quote(p.token()), p.prob()))
        .collect(Collectors.joining(", "));
  }

  private static String num(double x) {
    return TerminalReport.number(x);
  }
}
