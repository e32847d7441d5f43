package io.deltascope.cli;

import io.deltascope.checkpoint.CheckpointException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns a failed command into one line on stderr and exit code 1; the stack trace only with {@code
 * --verbose}. Exceptions that come back from executors arrive wrapped by Spark: the line shows the
 * cause deltascope raised, not Spark's envelope.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cli, CommandLine.ParseResult parsed) {
    cli.getErr().println("deltascope: error: " + oneLine(ex));
    if (verbose(parsed)) {
      ex.printStackTrace(cli.getErr());
    } else {
      cli.getErr().println("(run with --verbose for the stack trace)");
    }
    cli.getErr().flush();
    return Main.FAILED;
  }

  static String oneLine(Throwable ex) {
    Throwable ours = ours(ex);
    String message = ours.getMessage() == null ? ours.toString() : ours.getMessage();
    return message.lines().findFirst().orElse(ours.getClass().getSimpleName()).strip();
  }

  /** The first exception in the cause chain that deltascope raised for the user to read. */
  private static Throwable ours(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof CheckpointException
          || t instanceof UserException
          || t instanceof UncheckedIOException
          || t instanceof IllegalArgumentException) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return ex;
  }

  private static boolean verbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
