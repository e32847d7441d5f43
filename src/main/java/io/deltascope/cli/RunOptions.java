package io.deltascope.cli;

import picocli.CommandLine.Option;

/** Options every Spark command shares. */
final class RunOptions {
  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (default: the submitted one, else local[*]).")
  String master;

  @Option(names = "--verbose", description = "Show stack traces of errors.")
  boolean verbose;

  @Option(
      names = "--progress",
      negatable = true,
      description = "Progress on stderr (default: only when stderr is a terminal).")
  Boolean progress;

  boolean showProgress() {
    return progress != null ? progress : System.console() != null;
  }
}
