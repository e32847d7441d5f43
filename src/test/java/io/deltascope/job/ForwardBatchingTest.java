package io.deltascope.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import io.deltascope.model.DecoderModel;
import org.junit.jupiter.api.Test;

/** activation-diff's and logit-diff's one batching rule: cores, bounded by the memory budget. */
class ForwardBatchingTest {

  @Test
  void runsAsManyBatchesAsTheCoresAndTheBudgetAllow() {
    assertThat(new ForwardJobs.Batching(8, 1_000, 10_000).parallelism(4)).isEqualTo(4);
    assertThat(new ForwardJobs.Batching(8, 3_000, 10_000).parallelism(4)).isEqualTo(3);
    // a block pair larger than the budget still runs, one batch at a time
    assertThat(new ForwardJobs.Batching(8, 30_000, 10_000).parallelism(4)).isEqualTo(1);
    assertThat(new ForwardJobs.Batching(8, 0, 10_000).parallelism(4)).isEqualTo(4);
  }

  @Test
  void aPairsTaskHoldsOneWidenedBlockOfEachModel() {
    String base = Fixtures.model("llama-base").toString();
    String finetuned = Fixtures.model("llama-sft").toString();
    ForwardJobs.Batching b = ForwardJobs.Batching.of(base, finetuned, 3, 0.5);
    assertThat(b.batchSize()).isEqualTo(3);
    assertThat(b.memoryBudget()).isEqualTo(500_000_000L);
    assertThat(b.taskBytes())
        .isEqualTo(DecoderModel.blockBytes(base) + DecoderModel.blockBytes(finetuned))
        .isPositive();
  }

  @Test
  void promptsFillAtMostOnePartitionPerBatch() {
    assertThat(ForwardJobs.partitions(20, 8, 4)).isEqualTo(3);
    assertThat(ForwardJobs.partitions(20, 1, 4)).isEqualTo(4);
    assertThat(ForwardJobs.partitions(0, 8, 4)).isEqualTo(1);
  }
}
