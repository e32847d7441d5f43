package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.checkpoint.Redaction;
import io.deltascope.report.JsonReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a stored run, or batch, was made, as its {@code runs} rows say: a page rebuilt from a results
 * store shows it beside the provenance of the {@code report} command that rebuilt it.
 *
 * @param command the command that wrote it: {@code weight-diff} for a run; {@code trajectory} or
 *     {@code batch} for a batch
 * @param options the options it stored (the {@code options} column), by their stored names
 * @param runId the run's id; null for a batch
 * @param batchId the batch's id, or the batch the run belongs to; null for a run of no batch
 * @param version the deltascope version that wrote it; null when not stored
 */
public record StoredRun(
    String command, Map<String, String> options, String runId, String batchId, String version) {

  public StoredRun {
    options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  /**
   * The stored {@code options} column (a JSON object) by name, lists joined with commas; text that
   * is not a JSON object is shown as it is, under "options"; either without secrets (a store
   * another tool wrote may hold them).
   */
  static Map<String, String> options(String stored) {
    Map<String, String> out = new LinkedHashMap<>();
    if (stored == null || stored.isBlank()) {
      return out;
    }
    JsonNode node;
    try {
      node = JsonReport.MAPPER.readTree(stored);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      out.put("options", Redaction.current().text(stored));
      return out;
    }
    node.fields()
        .forEachRemaining(e -> out.put(e.getKey(), Redaction.current().text(text(e.getValue()))));
    return out;
  }

  private static String text(JsonNode value) {
    if (!value.isArray()) {
      return value.isValueNode() ? value.asText() : value.toString();
    }
    List<String> items = new ArrayList<>();
    value.forEach(v -> items.add(text(v)));
    return String.join(",", items);
  }
}
