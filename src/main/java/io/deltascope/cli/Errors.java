package io.deltascope.cli;

import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.Redaction;
import java.io.PrintWriter;
import java.io.StringWriter;
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
    if (ours(ex) instanceof UsageException) {
      return usage(ours(ex).getMessage(), cli);
    }
    return failed(ex, cli, verbose(parsed));
  }

  /** A failed command: its one line, then the stack trace or where to find it; exit code 1. */
  static int failed(Throwable ex, CommandLine cli, boolean verbose) {
    cli.getErr().println("deltascope: error: " + oneLine(ex));
    if (verbose) {
      StringWriter trace = new StringWriter();
      ex.printStackTrace(new PrintWriter(trace));
      cli.getErr().print(Redaction.current().text(trace.toString()));
    } else {
      cli.getErr().println("(run with --verbose for the stack trace)");
    }
    cli.getErr().flush();
    return Main.FAILED;
  }

  /** A usage error, picocli's or ours: one line and where the options are listed; exit code 2. */
  static int usage(String message, CommandLine cli) {
    cli.getErr().println("deltascope: error: " + Redaction.current().text(message));
    cli.getErr().println("(" + cli.getCommandSpec().qualifiedName() + " --help lists the options)");
    cli.getErr().flush();
    return Main.USAGE;
  }

  /** The error's first line, without secrets: what stderr, the runs row and sql --serve show. */
  static String oneLine(Throwable ex) {
    Throwable ours = ours(ex);
    String message = ours.getMessage() == null ? ours.toString() : ours.getMessage();
    if (ours instanceof Error && ours.getMessage() != null) {
      message = ours.getClass().getSimpleName() + ": " + message; // "Java heap space" says little
    }
    return Redaction.current()
        .text(
            message
                .lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .findFirst()
                .orElse(ours.getClass().getSimpleName()));
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
