package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * An error of the JVM in a command (a stack overflow on a deeply nested input, out of memory) is
 * the one line every failure is, exit 1, the stack trace only with --verbose: picocli passes only
 * exceptions to its handler, and the rest used to leave as the JVM's own pages of trace.
 */
class JvmErrorsTest {

  @Command(name = "overflow")
  static final class Overflow implements Runnable {
    @Option(names = "--verbose")
    boolean verbose;

    @Override
    public void run() {
      throw new StackOverflowError();
    }
  }

  @Test
  void aStackOverflowIsOneLineAndExitOne() {
    StringWriter err = new StringWriter();
    int code = run(err, "overflow");

    assertThat(code).isEqualTo(Main.FAILED);
    assertThat(err.toString().lines())
        .containsExactly(
            "deltascope: error: java.lang.StackOverflowError",
            "(run with --verbose for the stack trace)");
  }

  @Test
  void itsStackTraceComesWithVerbose() {
    StringWriter err = new StringWriter();
    int code = run(err, "overflow", "--verbose");

    assertThat(code).isEqualTo(Main.FAILED);
    assertThat(err.toString())
        .startsWith("deltascope: error: java.lang.StackOverflowError")
        .contains("at io.deltascope.cli.JvmErrorsTest$Overflow.run");
  }

  private static int run(StringWriter err, String... args) {
    CommandLine cli = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err));
    cli.addSubcommand("overflow", new Overflow());
    return Main.execute(cli, args);
  }
}
