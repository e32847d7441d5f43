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
    assertThatThrownBy(() -> Gate.parse("speed > 1"))
        .hasMessageContaining(
            "METRIC one of norm_base, norm_finetuned, l2_distance, relative_delta, cosine");
  }

  @Test
  void aMisspelledComponentIsRefusedBeforeAnyWork() {
    CliRun run =
        CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--fail-if", "mlp_dwn: cosine < 0.9999");
    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.errorLine())
        .contains("--fail-if 'mlp_dwn: cosine < 0.9999': unknown component 'mlp_dwn'")
        .contains("mlp_down, mlp_down_bias")
        .contains("norm_post_attn");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aComponentThePairDoesNotHaveFailsRatherThanPassing() {
    // llama has separate q, k and v projections: a check on the fused one reads no tensor
    CliRun run =
        CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--fail-if", "attn_qkv: cosine < 0.5");
    assertThat(run.exitCode()).isEqualTo(Main.CHECK_FAILED);
    assertThat(run.err())
        .contains("attn_qkv: cosine < 0.5: 1 crossed: no compared tensor of component attn_qkv");
  }

  @Test
  void aMetricCheckOnAStructureOnlyRunFailsRatherThanPassing() {
    CliRun run =
        CliRun.of(
            "weight-diff",
            "-b",
            BASE,
            "-f",
            SFT,
            "--structure-only",
            "--fail-if",
            "relative_delta > 100",
            "--fail-if",
            "structural");
    assertThat(run.exitCode()).isEqualTo(Main.CHECK_FAILED);
    assertThat(run.err())
        .contains("relative_delta > 100: 1 crossed: no tensor was compared")
        .doesNotContain("structural:");
  }
}
