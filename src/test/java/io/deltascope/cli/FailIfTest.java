package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.Fixtures;
import io.deltascope.diff.Gate;
import org.junit.jupiter.api.Test;

/** --fail-if: a gate for CI and schedulers. */
class FailIfTest {
  private static final String BASE = Fixtures.model("llama-base").toString();
  private static final String SFT = Fixtures.model("llama-sft").toString();

  @Test
  void exitsWithThreeNamingTheTensorsThatCrossedTheLine() {
    CliRun run =
        CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--fail-if", "relative_delta > 0.115");
    assertThat(run.exitCode()).isEqualTo(Main.CHECK_FAILED);
    assertThat(run.err())
        .contains("deltascope: check failed: relative_delta > 0.115: 3 crossed:")
        .contains("model.layers.1.self_attn.o_proj.weight (0.129438)")
        .contains("model.layers.3.self_attn.o_proj.weight (0.119506)")
        .contains("model.layers.1.self_attn.v_proj.weight (0.117507)");
    assertThat(run.out()).contains("Summary"); // the report is still printed
  }

  @Test
  void passesWhenNothingCrosses() {
    CliRun run =
        CliRun.of(
            "weight-diff",
            "-b",
            BASE,
            "-f",
            SFT,
            "--fail-if",
            "relative_delta > 0.5",
            "--fail-if",
            "nan",
            "--fail-if",
            "structural",
            "--fail-if",
            "mlp_down: cosine < 0.99");
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @Test
  void namedChecksCatchStructuralChanges() {
    CliRun run =
        CliRun.of(
            "weight-diff",
            "-b",
            BASE,
            "-f",
            Fixtures.model("llama-sft-resized").toString(),
            "--fail-if",
            "structural");
    assertThat(run.exitCode()).isEqualTo(Main.CHECK_FAILED);
    assertThat(run.err())
        .contains("structural: 3 crossed: score.weight (added)")
        .contains("lm_head.weight (reshaped)");
  }

  @Test
  void aComponentCheckLooksAtThatComponentOnly() {
    CliRun run =
        CliRun.of(
            "weight-diff", "-b", BASE, "-f", SFT, "--fail-if", "lm_head: relative_delta > 0.09");
    assertThat(run.exitCode()).isEqualTo(Main.CHECK_FAILED);
    assertThat(run.err())
        .contains("lm_head: relative_delta > 0.09: 1 crossed: lm_head.weight (0.0971905)");
  }

  @Test
  void aMalformedCheckIsRefusedBeforeAnyWork() {
    CliRun run =
        CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--fail-if", "relative_delta >> 1");
    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.errorLine())
        .contains("--fail-if 'relative_delta >> 1': expected 'METRIC OP NUMBER'");
    assertThat(run.out()).isEmpty();
    assertThatThrownBy(() -> Gate.parse("speed > 1")).hasMessageContaining("METRIC one of cosine");
  }
}
