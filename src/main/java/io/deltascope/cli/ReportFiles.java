package io.deltascope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.report.JsonReport;
import io.deltascope.report.html.HtmlReport;
import io.deltascope.report.html.ReportDocuments;
import java.nio.file.Path;
import java.util.Locale;

/** The {@code -o FILE} of every command: the JSON document, or the HTML report when .html. */
final class ReportFiles {
  private ReportFiles() {}

  /** Fails before any work when {@code output} has neither extension or cannot be written. */
  static void check(Path output) {
    if (!isHtml(output) && !isJson(output)) {
      throw new UsageException(
          output + ": unknown output format (expected a .json or .html file name)");
    }
    OutputFiles.checkWritable(output);
  }

  /**
   * Writes {@code document} as JSON, or the report that {@code docs} makes of it as HTML.
   *
   * @param docs the documents the HTML shows ({@code document} among them)
   * @param out where to say which file was written, as {@code report} does
   */
  static void write(
      Path output, ObjectNode document, ReportDocuments docs, java.io.PrintWriter out) {
    if (docs.provenance() != null) {
      document.set("provenance", docs.provenance().toJson());
    }
    OutputFiles.write(
        output, isHtml(output) ? HtmlReport.render(docs) : JsonReport.toString(document));
    out.println("Report: " + output);
    out.flush();
  }

  static boolean isHtml(Path output) {
    String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".html") || name.endsWith(".htm");
  }

  private static boolean isJson(Path output) {
    return output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
  }
}
