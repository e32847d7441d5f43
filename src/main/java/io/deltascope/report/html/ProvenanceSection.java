package io.deltascope.report.html;

import io.deltascope.report.Provenance;
import io.deltascope.report.Version;
import java.util.Map;

/**
 * How the page was made, so a reader can run it again: the command line, its options, the stored
 * run, deltascope's version, the host and the date. A page rebuilt from a results store says both
 * how the {@code report} command built it and how the stored run was made (its command and options
 * as the runs table has them), each under its own heading. A page rendered without a provenance (a
 * test, a library caller) still names the version and the date.
 */
final class ProvenanceSection {
  private ProvenanceSection() {}

  static HtmlReport.Section of(ReportDocuments docs) {
    StoredRun stored = docs.storedRun();
    String html =
        stored == null
            ? page(docs)
            : "<h3>This report</h3>"
                + page(docs)
                + "<h3>The stored "
                + (stored.runId() == null ? "batch" : "run")
                + "</h3>"
                + stored(stored);
    return new HtmlReport.Section("provenance", "Provenance", html);
  }

  /** How the page itself was made. */
  private static String page(ReportDocuments docs) {
    Provenance p = docs.provenance();
    StringBuilder out = new StringBuilder("<dl class=\"provenance\">");
    if (p != null) {
      item(out, "command-line", "Command line", "<code>" + Html.esc(p.commandLine()) + "</code>");
      item(out, "options", "Options", options(p.options()));
      if (p.runId() != null) {
        item(out, "run-id", "Run id", "<code>" + Html.esc(p.runId()) + "</code>");
      }
    }
    item(out, "version", "deltascope", Html.esc(p != null ? p.version() : Version.get()));
    if (p != null) {
      item(out, "host", "Host", Html.esc(p.host()));
    }
    item(out, "date", "Date", Html.esc(docs.date()));
    return out.append("</dl>").toString();
  }

  /** How the stored run or batch was made, as the runs table says. */
  private static String stored(StoredRun run) {
    StringBuilder out = new StringBuilder("<dl class=\"provenance stored-run\">");
    item(out, "command", "Command", "<code>deltascope " + Html.esc(run.command()) + "</code>");
    item(out, "options", "Options", options(run.options()));
    if (run.runId() != null) {
      item(out, "run-id", "Run id", "<code>" + Html.esc(run.runId()) + "</code>");
    }
    if (run.batchId() != null) {
      item(out, "batch-id", "Batch id", "<code>" + Html.esc(run.batchId()) + "</code>");
    }
    if (run.version() != null) {
      item(out, "version", "deltascope", Html.esc(run.version()));
    }
    return out.append("</dl>").toString();
  }

  private static String options(Map<String, String> options) {
    if (options.isEmpty()) {
      return "none";
    }
    StringBuilder out = new StringBuilder("<ul class=\"options\">");
    options.forEach(
        (name, value) ->
            out.append("<li><code>")
                .append(Html.esc(name))
                .append("</code>")
                .append(value.isEmpty() ? "" : " <code>" + Html.esc(value) + "</code>")
                .append("</li>"));
    return out.append("</ul>").toString();
  }

  private static void item(StringBuilder out, String cls, String label, String html) {
    out.append("<div class=\"")
        .append(cls)
        .append("\"><dt>")
        .append(Html.esc(label))
        .append("</dt><dd>")
        .append(html)
        .append("</dd></div>");
  }
}
