package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.report.Provenance;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * What a report shows: the commands' JSON documents as they write them with {@code -o FILE.json}
 * (any may be null; each section appears when its document is there) and the date to print.
 *
 * @param weightDiff the weight-diff document (base, finetuned, tool_version, structural, tensors,
 *     layers, summary; spectra fields and diagnosis when computed)
 * @param activation the activation-diff document (layers, prompts)
 * @param compare the compare document (prompt, models)
 * @param logitDiff the logit-diff document (summary, prompts, top_positions, kl_histogram)
 * @param trajectory the trajectory document (checkpoints, pairs, findings)
 * @param date when the result was computed, as people read it
 * @param provenance how the report was made (command line, options, run id, host); null when not
 *     known, and the page then shows the version and date alone
 * @param storedRun how the stored run or batch the page was rebuilt from was made; null for a page
 *     a command wrote as it ran
 */
public record ReportDocuments(
    JsonNode weightDiff,
    JsonNode activation,
    JsonNode compare,
    JsonNode logitDiff,
    JsonNode trajectory,
    String date,
    Provenance provenance,
    StoredRun storedRun) {

  public ReportDocuments(
      JsonNode weightDiff,
      JsonNode activation,
      JsonNode compare,
      JsonNode logitDiff,
      JsonNode trajectory,
      String date) {
    this(weightDiff, activation, compare, logitDiff, trajectory, date, null, null);
  }

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /** The documents of the commands that compare one pair by weights and hidden states. */
  public ReportDocuments(JsonNode weightDiff, JsonNode activation, JsonNode compare, String date) {
    this(weightDiff, activation, compare, null, null, date);
  }

  public static ReportDocuments weightDiff(JsonNode weightDiff) {
    return new ReportDocuments(weightDiff, null, null, now());
  }

  public static ReportDocuments activation(JsonNode activation) {
    return new ReportDocuments(null, activation, null, now());
  }

  public static ReportDocuments compare(JsonNode compare) {
    return new ReportDocuments(null, null, compare, now());
  }

  public static ReportDocuments logitDiff(JsonNode logitDiff) {
    return new ReportDocuments(null, null, null, logitDiff, null, now());
  }

  public static ReportDocuments trajectory(JsonNode trajectory) {
    return new ReportDocuments(null, null, null, null, trajectory, now());
  }

  public ReportDocuments withDate(Instant when) {
    return new ReportDocuments(
        weightDiff,
        activation,
        compare,
        logitDiff,
        trajectory,
        DATE.format(when),
        provenance,
        storedRun);
  }

  public ReportDocuments with(Provenance how) {
    return new ReportDocuments(
        weightDiff, activation, compare, logitDiff, trajectory, date, how, storedRun);
  }

  public ReportDocuments with(StoredRun stored) {
    return new ReportDocuments(
        weightDiff, activation, compare, logitDiff, trajectory, date, provenance, stored);
  }

  static String now() {
    return DATE.format(Instant.now());
  }
}
