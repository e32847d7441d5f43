package io.deltascope.cli;

import io.deltascope.diff.Gate;
import io.deltascope.diff.WeightDiffResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --fail-if}: thresholds that turn a finished comparison into exit code 3. */
final class GateOptions {
  @Option(
      names = "--fail-if",
      paramLabel = "CHECK",
      description =
          "Exit with code 3 when any tensor crosses CHECK (repeatable): 'relative_delta > 0.2',"
              + " 'mlp_down: cosine < 0.99', 'nan' (any NaN/Inf), 'structural' (any added, removed,"
              + " reshaped or retyped tensor). A tensor whose metric cannot be computed (NaN or"
              + " Inf values, a zero base) fails the check, and so does a check that reads no"
              + " tensor (a structure-only run, a component the pair does not have).")
  List<String> failIf = new ArrayList<>();

  /** Parses the checks: before any work, so a typo fails at once, as a usage error (exit 2). */
  List<Gate.Check> checks() {
    List<Gate.Check> checks = new ArrayList<>();
    for (String text : failIf) {
      try {
        checks.add(Gate.parse(text));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    return checks;
  }

  /** Evaluates the checks on {@code result}, says on {@code err} which failed; the exit code. */
  int exitCode(WeightDiffResult result, PrintWriter err) {
    List<Gate.Failure> failures = Gate.evaluate(checks(), result);
    for (Gate.Failure f : failures) {
      err.println("deltascope: check failed: " + f.describe());
    }
    err.flush();
    return failures.isEmpty() ? Main.OK : Main.CHECK_FAILED;
  }
}
