package io.deltascope.cli;

import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.Redaction;
import io.deltascope.report.Provenance;
import io.deltascope.report.Version;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** The provenance of a command's report, from what picocli parsed. */
final class Provenances {
  private Provenances() {}

  /**
   * @param spec the running (sub)command's spec
   * @param runId the stored run's id, or null when nothing is stored
   */
  static Provenance of(CommandSpec spec, String runId) {
    Redaction redaction = Redaction.current();
    ParseResult parsed = spec.commandLine().getParseResult();
    Map<String, String> options = new LinkedHashMap<>();
    if (parsed != null) {
      for (OptionSpec o : parsed.matchedOptions()) {
        options.put(o.longestName(), value(o, redaction));
      }
    }
    ParseResult root = spec.root().commandLine().getParseResult();
    List<String> words = new ArrayList<>(List.of(spec.root().name()));
    if (root != null) {
      root.originalArgs().forEach(a -> words.add(quoted(Locations.redact(redaction.text(a)))));
    }
    return new Provenance(String.join(" ", words), options, runId, Version.get(), host());
  }

  /**
   * An option's value as it may be shown: a map's ({@code --conf}) settings KEY=VALUE, each as
   * Spark shows it; any other value without the known secrets (no option of deltascope takes one:
   * the Hub token comes from the environment, and a name rule would only hide {@code --tokenizer}).
   */
  private static String value(OptionSpec option, Redaction redaction) {
    if (option.getValue() instanceof Map<?, ?> settings) {
      List<String> shown = new ArrayList<>();
      settings.forEach(
          (k, v) -> shown.add(k + "=" + redaction.setting(String.valueOf(k), String.valueOf(v))));
      return String.join(",", shown);
    }
    return String.join(
        ",", option.stringValues().stream().map(v -> Locations.redact(redaction.text(v))).toList());
  }

  /** A word as a POSIX shell reads it back: single-quoted when it holds anything special. */
  static String quoted(String word) {
    return word.matches("[A-Za-z0-9_@%+=:,./-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String env = System.getenv("HOSTNAME");
      return env == null ? "unknown" : env;
    }
  }
}
