package io.deltascope.cli;

import io.deltascope.results.ResultsStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Output options every command shares: -o FILE, and the results store run. */
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

  String runId() {
    if (runId != null) {
      return runId;
    }
    if (generated == null) {
      generated = RunIds.generate();
    }
    return generated;
  }
}
