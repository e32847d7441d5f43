package io.deltascope.report.html;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One self-contained HTML page from the commands' JSON documents: inline CSS, inline SVG and a
 * little inline script of our own (tooltips, sortable tables). Its Content-Security-Policy forbids
 * every fetch, so the page works offline and cannot leak what it shows.
 */
public final class HtmlReport {
  private HtmlReport() {}

  /** A part of the page with its own anchor, listed in the navigation. */
  record Section(String id, String title, String body) {}

  private static final String CSS = resource("report.css");
  private static final String JS = resource("report.js");

  public static String render(ReportDocuments docs) {
    List<Section> sections = new ArrayList<>();
    if (docs.weightDiff() != null) {
      sections.addAll(WeightDiffSections.of(docs.weightDiff()));
    }
    if (docs.activation() != null) {
      sections.add(ActivationSection.of(docs.activation()));
    }
    if (docs.compare() != null) {
      sections.add(CompareSection.of(docs.compare()));
    }
    if (docs.trajectory() != null) {
      sections.addAll(TrajectorySections.of(docs.trajectory()));
    }
    if (docs.logitDiff() != null) {
      sections.add(LogitDiffSection.of(docs.logitDiff()));
    }
    sections.add(ProvenanceSection.of(docs));
    StringBuilder page = new StringBuilder(64 * 1024);
    page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
        .append(" style-src 'unsafe-inline'; script-src 'unsafe-inline'\">")
        .append("<title>")
        .append(Html.esc(Header.title(docs)))
        .append("</title><style>")
        .append(CSS)
        .append("</style></head><body>\n");
    page.append(Header.render(docs));
    page.append("<nav aria-label=\"Sections\"><ul>");
    for (Section s : sections) {
      page.append("<li><a href=\"#")
          .append(s.id())
          .append("\">")
          .append(Html.esc(s.title()))
          .append("</a></li>");
    }
    page.append("</ul></nav>\n<main>");
    for (Section s : sections) {
      page.append("<section id=\"")
          .append(s.id())
          .append("\"><h2>")
          .append(Html.esc(s.title()))
          .append("</h2>")
          .append(s.body())
          .append("</section>\n");
    }
    page.append("</main><div id=\"tip\" role=\"tooltip\" hidden></div><script>")
        .append(JS)
        .append("</script></body></html>\n");
    return page.toString();
  }

  private static String resource(String name) {
    try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks io/deltascope/report/html/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
