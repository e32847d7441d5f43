package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The page header: which models, when, which version; the headline numbers and the diagnosis. */
final class Header {
  private Header() {}

  static String title(ReportDocuments docs) {
    List<String> models = models(docs);
    return "deltascope: "
        + (models.isEmpty()
            ? "report"
            : String.join(" vs ", models.stream().map(Header::short_).toList()));
  }

  static String render(ReportDocuments docs) {
    JsonNode wd = docs.weightDiff();
    StringBuilder h =
        new StringBuilder("<header id=\"summary\"><h1>deltascope report</h1><dl class=\"meta\">");
    JsonNode pair = pair(docs);
    if (pair != null) {
      model(h, "Base", Json.str(pair, "base"), "model-base");
      model(h, "Fine-tuned", Json.str(pair, "finetuned"), "model-finetuned");
    } else if (docs.compare() != null) {
      List<JsonNode> ms = Json.list(docs.compare(), "models");
      for (int i = 0; i < ms.size(); i++) {
        model(h, "Model " + (i + 1), Json.str(ms.get(i), "model"), "model-" + (i + 1));
      }
    }
    meta(h, "Date", docs.date(), "date");
    String version = wd != null ? Json.str(wd, "tool_version") : null;
    meta(
        h, "deltascope", version == null ? io.deltascope.report.Version.get() : version, "version");
    h.append("</dl>");
    if (wd != null) {
      figures(h, wd.get("summary"), wd);
      diagnosis(h, wd.get("diagnosis"));
    }
    return h.append("</header>\n").toString();
  }

  private static List<String> models(ReportDocuments docs) {
    List<String> out = new ArrayList<>();
    JsonNode pair = pair(docs);
    if (pair != null) {
      out.add(Json.str(pair, "base"));
      out.add(Json.str(pair, "finetuned"));
    } else if (docs.compare() != null) {
      Json.list(docs.compare(), "models").forEach(m -> out.add(Json.str(m, "model")));
    }
    out.removeIf(m -> m == null);
    return out;
  }

  /** The document that names the page's two models: weight-diff's, logit-diff's or activation's. */
  private static JsonNode pair(ReportDocuments docs) {
    for (JsonNode doc : new JsonNode[] {docs.weightDiff(), docs.logitDiff(), docs.activation()}) {
      if (doc != null && Json.str(doc, "base") != null) {
        return doc;
      }
    }
    return null;
  }

  /** The last path element: /x/y/llama-sft as llama-sft. */
  static String short_(String location) {
    String s = location.replaceAll("[/\\\\]+$", "");
    int slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
    return slash >= 0 ? s.substring(slash + 1) : s;
  }

  /** A model: its folder name in bold, then the whole location (wrapping, never cut). */
  private static void model(StringBuilder h, String label, String location, String cls) {
    if (location == null) {
      return;
    }
    h.append("<div class=\"model ")
        .append(cls)
        .append("\"><dt>")
        .append(Html.esc(label))
        .append("</dt><dd><strong class=\"name\">")
        .append(Html.esc(short_(location)))
        .append("</strong> <span class=\"path\">")
        .append(Html.esc(location))
        .append("</span></dd></div>");
  }

  private static void meta(StringBuilder h, String label, String value, String cls) {
    if (value == null) {
      return;
    }
    h.append("<div class=\"")
        .append(cls)
        .append("\"><dt>")
        .append(Html.esc(label))
        .append("</dt><dd title=\"")
        .append(Html.esc(value))
        .append("\">")
        .append(Html.esc(value))
        .append("</dd></div>");
  }

  private static void figures(StringBuilder h, JsonNode s, JsonNode wd) {
    if (s == null) {
      return;
    }
    h.append("<div class=\"figures\">");
    figure(
        h,
        "tensors-compared",
        Numbers.count(Json.lng(s, "tensors_compared"))
            + " of "
            + Numbers.count(Json.lng(s, "tensors_total")),
        "tensors compared");
    figure(h, "params", Numbers.params(Json.lng(s, "params_compared")), "parameters compared");
    figure(
        h,
        "mean-rel",
        Numbers.num(Json.dbl(s, "mean_relative_delta")),
        "mean relative change of the weight matrices");
    String most = Json.str(s, "most_changed");
    figure(
        h,
        "max-rel",
        Numbers.num(Json.dbl(s, "max_relative_delta")),
        "largest relative change" + (most == null ? "" : ": " + most));
    for (io.deltascope.diff.Summary.Total t : io.deltascope.diff.Summary.Total.values()) {
      figure(h, "total " + t.key().replace('_', '-'), Numbers.num(Json.dbl(s, t.key())), t.label());
    }
    figure(h, "unchanged", Numbers.count(Json.lng(s, "unchanged_tensors")), "tensors unchanged");
    structuralFigure(h, s, wd.get("structural"));
    long bad = Json.lng(s, "nan_count") + Json.lng(s, "inf_count");
    if (bad > 0) {
      figure(h, "nan warn", Numbers.count(bad), "NaN or infinite values");
    }
    h.append("</div>");
  }

  /**
   * The structural changes; when they are only retypes, one grouped line ("39 tensors BF16 -> F32")
   * instead of a count that reads like 39 changes of the architecture.
   */
  private static void structuralFigure(StringBuilder h, JsonNode s, JsonNode structural) {
    List<JsonNode> retypes =
        structural == null ? List.of() : Json.list(structural, "dtype_changed");
    boolean onlyRetypes =
        !retypes.isEmpty()
            && structural != null
            && Json.list(structural, "only_in_base").isEmpty()
            && Json.list(structural, "only_in_finetuned").isEmpty()
            && Json.list(structural, "shape_changed").isEmpty();
    if (!onlyRetypes) {
      figure(
          h,
          "structural-count",
          Numbers.count(Json.lng(s, "structural_changes")),
          "structural changes");
      return;
    }
    java.util.Map<String, Integer> byKind = new java.util.TreeMap<>();
    retypes.forEach(
        r ->
            byKind.merge(
                Json.str(r, "dtype_base") + " -> " + Json.str(r, "dtype_finetuned"),
                1,
                Integer::sum));
    List<String> lines = new ArrayList<>();
    byKind.forEach((k, n) -> lines.add(n + " tensors " + k));
    figure(h, "structural-count retypes", String.join(", ", lines), "stored type only");
  }

  static void figure(StringBuilder h, String cls, String value, String label) {
    h.append("<div class=\"figure ")
        .append(cls)
        .append("\"><span class=\"value\">")
        .append(Html.esc(value))
        .append("</span><span class=\"label\">")
        .append(Html.esc(label))
        .append("</span></div>");
  }

  /** {profile, summary, findings[{category, severity, title, detail}]}. */
  private static void diagnosis(StringBuilder h, JsonNode d) {
    if (d == null || d.isNull()) {
      return;
    }
    h.append("<div class=\"diagnosis\" id=\"diagnosis\"><h2>Diagnosis");
    String kind = Json.str(d, "kind");
    if (kind != null) {
      h.append(" <span class=\"kind kind-")
          .append(Html.esc(kind.replaceAll("[^a-z_]", "")))
          .append("\">")
          .append(Html.esc(kind.replace('_', ' ')))
          .append("</span>");
    }
    String profile = Json.str(d, "profile");
    if (profile != null) {
      h.append(" <span class=\"profile profile-")
          .append(Html.esc(profile.toLowerCase(Locale.ROOT)))
          .append("\">")
          .append(Html.esc(profile))
          .append("</span>");
    }
    h.append("</h2>");
    String summary = Json.str(d, "summary");
    if (summary != null) {
      h.append("<p class=\"diagnosis-summary\">").append(Html.esc(summary)).append("</p>");
    }
    FindingsList.render(h, Json.list(d, "findings"));
    h.append("</div>");
  }
}
