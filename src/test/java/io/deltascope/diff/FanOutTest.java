package io.deltascope.diff;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import io.deltascope.checkpoint.Checkpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class FanOutTest {

  @Test
  void aBaseSharedByThreeFineTunesIsReadOncePerTensor() {
    Checkpoint base = Checkpoint.open(Fixtures.model("llama-base").toString());
    List<WeightDiffPlan> plans =
        List.of("llama-sft", "llama-lora-merged", "llama-sft-resized").stream()
            .map(m -> WeightDiffPlan.of(base, Checkpoint.open(Fixtures.model(m).toString())))
            .toList();
    List<FanOut> units = FanOut.of(plans);
    // 39 base tensors; the resized embed and head compare 1024 common rows, as the others do
    assertThat(units).hasSize(39);
    FanOut q = firstQuery(units);
    assertThat(q.targets()).extracting(FanOut.Target::plan).containsExactly(0, 1, 2);
    long baseBytes = 128 * 128 * 2;
    long finetunedBytes = 128 * 128 * (2 + 4 + 2); // bf16, f32, bf16
    assertThat(q.bytesToRead()).isEqualTo(baseBytes + finetunedBytes);
  }

  @Test
  void aTrajectoryReadsEachCheckpointsTensorOnceForAllItsPairs() {
    List<Checkpoint> checkpoints =
        List.of("llama-base", "llama-sft", "llama-lora-merged").stream()
            .map(m -> Checkpoint.open(Fixtures.model(m).toString()))
            .toList();
    // 0 -> 1, 1 -> 2, 0 -> 2
    List<WeightDiffPlan> plans =
        List.of(
            WeightDiffPlan.of(checkpoints.get(0), checkpoints.get(1)),
            WeightDiffPlan.of(checkpoints.get(1), checkpoints.get(2)),
            WeightDiffPlan.of(checkpoints.get(0), checkpoints.get(2)));
    List<FanOut> units = FanOut.byName(plans);
    assertThat(units).hasSize(39);
    FanOut q = firstQuery(units);
    assertThat(q.targets()).extracting(FanOut.Target::plan).containsExactly(0, 1, 2);
    // each checkpoint's tensor once (bf16, bf16, f32), not the three pairs' 2 + 2 + 2 reads
    assertThat(q.bytesToRead()).isEqualTo(128 * 128 * (2 + 2 + 4));
    assertThat(q.pairs().stream().mapToLong(TensorPair::bytesToRead).sum())
        .isEqualTo(128 * 128 * (2 + 2 + 2 + 4 + 2 + 4));
  }

  private static FanOut firstQuery(List<FanOut> units) {
    return units.stream()
        .filter(u -> u.pairs().get(0).name().endsWith("layers.0.self_attn.q_proj.weight"))
        .findFirst()
        .orElseThrow();
  }
}
