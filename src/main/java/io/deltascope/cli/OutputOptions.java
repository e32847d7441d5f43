package io.deltascope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.Locations;
import io.deltascope.report.Provenance;
import io.deltascope.report.html.ReportDocuments;
import io.deltascope.results.ResultsStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Output options every command shares, -o FILE and the results store run, and the one way a
 * command's result reaches them: each command says what it produced, this writes it.
 */
class OutputOptions {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Also write the result to FILE: .json, or .html for the report.")
  Path output;

  @Option(
      names = "--results",
      paramLabel = "DIR",
      description = "Append this run to the results store DIR (Delta Lake; a path or Hadoop URI).")
  String results;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "Run id in the results store (default: time and a random suffix); an"
              + " existing run with this id is replaced.")
  String runId;

  /** The command these options belong to: its parse result is the report's provenance. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  private String generated;

  /** Every output location checked before any work; {@code run} has the file system settings. */
  void check(RunOptions run) {
    if (output != null) {
      ReportFiles.check(output);
    }
    if (runId != null) {
      ResultsStore.checkRunId(runId);
    }
    if (results != null) {
      OutputFiles.checkStore(results, run.hadoopConfiguration());
    }
  }

  /** The provenance of this command's report: the run id only when the run is stored. */
  Provenance provenance() {
    return Provenances.of(command, results == null ? null : runId());
  }

  String runId() {
    if (runId != null) {
      return runId;
    }
    if (generated == null) {
      generated = RunIds.generate();
    }
    return generated;
  }

  /**
   * Prints a command's text, then writes the {@code -o} file when asked: the JSON document, or the
   * HTML report of the documents made from it (neither is built without {@code -o}).
   */
  void report(
      PrintWriter out,
      String text,
      Supplier<ObjectNode> json,
      Function<ObjectNode, ReportDocuments> documents) {
    out.print(text);
    out.flush();
    if (output != null) {
      ObjectNode document = json.get();
      ReportFiles.write(output, document, documents.apply(document).with(provenance()), out);
    }
  }

  /** Writes the run into {@code --results} when given, and says so: "Results: run ID in DIR". */
  void store(PrintWriter out, RunWrite write) {
    store(out, "run " + runId(), write);
  }

  /** The same, {@code what} naming what was written ("trajectory ID (3 runs)"). */
  void store(PrintWriter out, String what, RunWrite write) {
    if (results != null) {
      write.to(results, runId());
      out.println("Results: " + what + " in " + Locations.redact(results));
    }
  }

  /** How a command writes its run into a store: the store's location and the run id. */
  @FunctionalInterface
  interface RunWrite {
    void to(String store, String runId);
  }
}
