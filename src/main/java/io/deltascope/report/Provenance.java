package io.deltascope.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a report came to be, so a reader can run it again: built once by the command that writes the
 * report, printed on every page and in the JSON document.
 *
 * @param commandLine the command as typed (credentials and query strings removed from locations)
 * @param options each option given, by its longest name, in the order typed
 * @param runId the run's id in the results store; null when the run was not stored
 * @param version deltascope's version
 * @param host the machine the command ran on
 */
public record Provenance(
    String commandLine, Map<String, String> options, String runId, String version, String host) {

  public Provenance {
    options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  /** {command_line, options{}, run_id, version, host}. */
  public ObjectNode toJson() {
    ObjectNode node = JsonReport.MAPPER.createObjectNode();
    node.put("command_line", commandLine);
    ObjectNode opts = node.putObject("options");
    options.forEach(opts::put);
    node.put("run_id", runId);
    node.put("version", version);
    node.put("host", host);
    return node;
  }
}
