package io.deltascope.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.diff.LocalDiff;
import io.deltascope.diff.Trajectory;
import io.deltascope.diff.TrajectoryResult;
import io.deltascope.synth.ModelShape;
import io.deltascope.synth.SyntheticTrajectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trajectory's findings on synthetic trajectories with planted events. */
class TrajectoryFindingsTest {
  @TempDir Path dir;

  private static final ModelShape TINY =
      new ModelShape("tiny", "llama", 4, 64, 128, 4, 2, 256, false, false, 10000.0, 1e-5, 128);

  @Test
  void findsThePlantedJumpAndTheLayerThatMovedLate() throws IOException {
    // 5 checkpoints; step 1 -> 2 ten times the others; layer 3 still until the last step
    List<Finding> findings =
        findings(
            new SyntheticTrajectory.Options(
                new double[] {2e-3, 2e-2, 2e-3, 2e-3}, 3, 6e-3, 7, 1L << 30));
    assertThat(findings).extracting(Finding::category).containsOnlyOnce("jump", "late_layer");
    Finding jump = only(findings, "jump");
    assertThat(jump.severity()).isEqualTo(Finding.WARNING);
    assertThat(jump.title()).startsWith("Step 1 -> 2 is ");
    Finding late = only(findings, "late_layer");
    assertThat(late.title()).isEqualTo("Layer 3 moved late");
    assertThat(late.detail()).startsWith("100% of its summed step changes came in the last 2 of 4");
    // the jump step is larger than the first, so no convergence is claimed
    assertThat(only(findings, "convergence").title())
        .startsWith("The step size is not shrinking: the last step is ")
        .endsWith(" times the first");
    assertThat(only(findings, "concentration").detail())
        .contains("attn_q in step 1 -> 2", "mlp_down in step 1 -> 2");
  }

  @Test
  void shrinkingStepsAreConvergenceAndNothingElseIsClaimed() throws IOException {
    List<Finding> findings =
        findings(
            new SyntheticTrajectory.Options(new double[] {4e-3, 2e-3, 1e-3}, -1, 0, 3, 1L << 30));
    assertThat(findings).extracting(Finding::category).doesNotContain("jump", "late_layer");
    assertThat(only(findings, "convergence").title())
        .isEqualTo("The step size shrank at every step");
  }

  @Test
  void equalStepsClaimNeitherConvergenceNorAPeak() throws IOException {
    // the relative change of equal steps falls a little as the weights grow: not convergence
    List<Finding> findings = findings(SyntheticTrajectory.Options.uniform(4, 2e-3, 5, 1L << 30));
    assertThat(findings).extracting(Finding::category).doesNotContain("jump", "late_layer");
    assertThat(only(findings, "convergence").title())
        .isEqualTo("The step size is not shrinking: the last step is within 20% of the first");
    assertThat(only(findings, "concentration").detail())
        .contains("attn_q evenly (no step above 2")
        .doesNotContain(" in step ");
  }

  @Test
  void twoCheckpointsAreOneStepAndShowNothingOverTime() throws IOException {
    assertThat(findings(SyntheticTrajectory.Options.uniform(1, 2e-3, 1, 1L << 30))).isEmpty();
  }

  private List<Finding> findings(SyntheticTrajectory.Options options) throws IOException {
    SyntheticTrajectory.write(TINY, dir, options);
    List<String> locations = new ArrayList<>();
    for (int k = 0; k <= options.stepStd().length; k++) {
      locations.add(SyntheticTrajectory.step(dir, k).toString());
    }
    Trajectory trajectory = Trajectory.of(locations);
    List<Checkpoint> opened = locations.stream().map(Checkpoint::open).toList();
    return TrajectoryFindings.of(
        new TrajectoryResult(
            trajectory,
            trajectory.pairs().stream()
                .map(p -> LocalDiff.of(opened.get(p.from()), opened.get(p.to())))
                .toList()));
  }

  private static Finding only(List<Finding> findings, String category) {
    List<Finding> matching = findings.stream().filter(f -> f.category().equals(category)).toList();
    assertThat(matching).as(category + " in " + findings).hasSize(1);
    return matching.get(0);
  }
}
