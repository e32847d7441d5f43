package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The sections drawn from a trajectory document (or a stored batch's): the overview of its pairs,
 * and for a trajectory the per-layer charts over steps and the steps x layers heatmaps, then each
 * pair's own section.
 */
final class TrajectorySections {
  private TrajectorySections() {}

  static List<HtmlReport.Section> of(JsonNode doc) {
    List<HtmlReport.Section> out = new ArrayList<>();
    boolean trajectory = doc.has("checkpoints");
    out.add(
        new HtmlReport.Section(
            "overview", trajectory ? "Trajectory" : "Batch overview", PairOverview.render(doc)));
    if (trajectory) {
      out.add(new HtmlReport.Section("over-steps", "Layers over steps", StepCharts.render(doc)));
      out.add(
          new HtmlReport.Section("steps-heatmap", "Steps \u00d7 layers", StepHeatmaps.render(doc)));
    }
    out.add(new HtmlReport.Section("pairs", "Pairs", PairSections.render(doc)));
    return out;
  }

  /** The pairs of a trajectory document with {@code from} 0: the cumulative view, in order. */
  static List<JsonNode> cumulative(JsonNode doc) {
    return Json.list(doc, "pairs").stream()
        .filter(p -> Integer.valueOf(0).equals(Json.integer(p, "from")))
        .toList();
  }

  /** The pairs k -> k+1: the consecutive view, in order. */
  static List<JsonNode> consecutive(JsonNode doc) {
    return Json.list(doc, "pairs").stream()
        .filter(
            p ->
                Json.integer(p, "from") != null
                    && Json.integer(p, "to") == Json.integer(p, "from") + 1)
        .toList();
  }

  /** "0 → 2", or a batch pair's name. */
  static String label(JsonNode pair) {
    Integer from = Json.integer(pair, "from");
    return from == null ? Json.str(pair, "name") : from + " \u2192 " + Json.integer(pair, "to");
  }

  /** The anchor of a pair's section. */
  static String anchor(JsonNode pair) {
    return "pair-" + String.valueOf(Json.str(pair, "name")).replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
