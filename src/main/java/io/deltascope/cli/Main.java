package io.deltascope.cli;

import io.deltascope.checkpoint.Redaction;
import io.deltascope.report.Version;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code deltascope} command line: one subcommand per analysis. */
@Command(
    name = "deltascope",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Shows what changed inside a language model between two checkpoints.",
    subcommands = {
      WeightDiffCommand.class,
      BatchCommand.class,
      TrajectoryCommand.class,
      ActivationDiffCommand.class,
      CompareCommand.class,
      LogitDiffCommand.class,
      SqlCommand.class,
      ReportCommand.class,
      DemoCommand.class,
      SynthCommand.class,
      StoreCommand.class
    })
public final class Main implements Runnable {
  /** Exit codes, as the README documents them. */
  public static final int OK = 0;

  public static final int FAILED = 1;
  public static final int USAGE = 2;

  /** A {@code --fail-if} check crossed: the comparison ran, the checkpoint should not pass. */
  public static final int CHECK_FAILED = 3;

  /** Some pairs of a batch failed; the others' results are written. */
  public static final int SOME_PAIRS_FAILED = 4;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code, without exiting: what tests call. */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs a command line with its output and errors going to the given writers. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    Redaction.use(() -> Secrets.of(args));
    return execute(commandLine(out, err), args);
  }

  /**
   * Runs {@code args} on {@code cli}. picocli hands only exceptions to {@link Errors}; an error of
   * the JVM (a stack overflow, out of memory) would leave as a stack trace and the JVM's own exit
   * code: it is the same one line, exit 1.
   */
  static int execute(CommandLine cli, String... args) {
    try {
      return cli.execute(args);
    } catch (Error e) {
      return Errors.failed(e, cli, List.of(args).contains("--verbose"));
    }
  }

  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new Errors());
    cli.setParameterExceptionHandler(
        (ex, args) -> Errors.usage(ex.getMessage(), ex.getCommandLine()));
    cli.setExpandAtFiles(false); // "-p @prompts.txt" names a prompt file, not picocli's @-file
    return cli;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: " + names());
  }

  private String names() {
    return String.join(", ", spec.subcommands().keySet());
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"deltascope " + Version.get()};
    }
  }
}
