package io.deltascope.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the command line: its exit code and what it printed. */
public record CliRun(int exitCode, String out, String err) {

  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** Stores weight-diff of the llama base against fixture model {@code finetuned} as a run. */
  public static void storeWeightDiff(String store, String runId, String finetuned) {
    CliRun run =
        of(
            "weight-diff",
            "-b",
            io.deltascope.Fixtures.model("llama-base").toString(),
            "-f",
            io.deltascope.Fixtures.model(finetuned).toString(),
            "--results",
            store,
            "--run-id",
            runId);
    if (run.exitCode() != 0) {
      throw new AssertionError("weight-diff into " + store + " failed: " + run.err());
    }
  }

  /** The error line deltascope printed (the first line of stderr). */
  public String errorLine() {
    return err.lines().findFirst().orElse("");
  }
}
