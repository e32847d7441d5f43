package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One rule for every malformed option value: one line naming it, a hint, exit code 2 (picocli's own
 * parse errors included); and every command honours every option its help shows ({@code --conf}).
 */
class UsageErrorsTest {
  private static final String BASE = Fixtures.model("llama-base").toString();
  private static final String SFT = Fixtures.model("llama-sft").toString();

  @TempDir Path dir;

  @Test
  void aNegativeTopNIsAUsageError() {
    assertUsage(
        CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--top-n", "-1"),
        "--top-n must be 0 or more, not -1",
        "weight-diff");
  }

  @Test
  void anEmptyPromptIsAUsageError() {
    assertUsage(
        CliRun.of("compare", "-m1", BASE, "-m2", SFT, "-p", ""),
        "no prompt: -p is empty",
        "compare");
    assertUsage(
        CliRun.of("activation-diff", "-b", BASE, "-f", SFT, "-p", ""),
        "no prompts: -p '' has none",
        "activation-diff");
  }

  @Test
  void aNegativeMaxRowsIsAUsageError() {
    assertUsage(
        CliRun.of("sql", "--results", dir.toString(), "--max-rows", "-1", "SELECT 1"),
        "--max-rows must be 0 or more, not -1",
        "sql");
  }

  @Test
  void aValuePicocliCannotConvertIsTheSameOneLine() {
    assertUsage(
        CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--top-n", "many"),
        "Invalid value for option '--top-n': 'many' is not an int",
        "weight-diff");
    assertUsage(
        CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--no-such-option"),
        "Unknown option: '--no-such-option'",
        "weight-diff");
  }

  @Test
  void reportHonoursConf() {
    CliRun run =
        CliRun.of(
            "report",
            "--results",
            dir.resolve("no-store").toString(),
            "--run",
            "x",
            "-o",
            dir.resolve("r.html").toString(),
            "--conf",
            "spark.deltascope.test.conf=report");
    assertThat(run.exitCode()).isEqualTo(Main.FAILED);
    assertThat(TestSpark.session().conf().get("spark.deltascope.test.conf", ""))
        .isEqualTo("report");
  }

  @Test
  void activationDiffAndCompareHonourConf() {
    CliRun diff =
        CliRun.of(
            "activation-diff",
            "-b",
            BASE,
            "-f",
            SFT,
            "-p",
            "Hi",
            "--conf",
            "spark.deltascope.test.conf=activation-diff");
    assertThat(diff.exitCode()).as(diff.err()).isZero();
    assertThat(TestSpark.session().conf().get("spark.deltascope.test.conf", ""))
        .isEqualTo("activation-diff");
    CliRun compare =
        CliRun.of(
            "compare",
            "-m1",
            BASE,
            "-m2",
            SFT,
            "-p",
            "Hi",
            "--conf",
            "spark.deltascope.test.conf=compare");
    assertThat(compare.exitCode()).as(compare.err()).isZero();
    assertThat(TestSpark.session().conf().get("spark.deltascope.test.conf", ""))
        .isEqualTo("compare");
  }

  @Test
  void onlyTheCommandsThatReportProgressOfferProgress() {
    for (String command : List.of("weight-diff", "demo", "batch", "trajectory")) {
      CliRun help = CliRun.of(command, "--help");
      assertThat(help.out()).as(command).contains("--[no-]progress");
    }
    for (List<String> command :
        List.of(
            List.of("activation-diff"),
            List.of("compare"),
            List.of("logit-diff"),
            List.of("sql"),
            List.of("report"),
            List.of("store", "history"),
            List.of("store", "optimize"),
            List.of("store", "vacuum"),
            List.of("store", "upgrade"))) {
      List<String> args = new java.util.ArrayList<>(command);
      args.add("--help");
      CliRun help = CliRun.of(args.toArray(String[]::new));
      assertThat(help.exitCode()).as(command.toString()).isZero();
      assertThat(help.out()).as(command.toString()).doesNotContain("progress");
    }
    assertUsage(
        CliRun.of("activation-diff", "-b", BASE, "-f", SFT, "-p", "Hi", "--progress"),
        "Unknown option: '--progress'",
        "activation-diff");
  }

  private static void assertUsage(CliRun run, String message, String command) {
    assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.USAGE);
    assertThat(run.err().lines().toList())
        .hasSize(2)
        .first()
        .asString()
        .startsWith("deltascope: error: ")
        .contains(message);
    assertThat(run.err()).contains("(deltascope " + command + " --help lists the options)");
    assertThat(run.out()).isEmpty();
  }
}
