package io.deltascope.cli;

import picocli.CommandLine.Option;

/**
 * {@code --progress}: offered only by the commands that report progress (weight-diff, demo, batch,
 * trajectory), so no command shows an option it ignores.
 */
final class ProgressOption {
  @Option(
      names = "--progress",
      negatable = true,
      description = "Progress on stderr (default: only when stderr is a terminal).")
  Boolean progress;

  boolean show() {
    return progress != null ? progress : System.console() != null;
  }
}
