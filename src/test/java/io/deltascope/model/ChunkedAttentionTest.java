package io.deltascope.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attention over a prompt longer than one query chunk is computed chunk by chunk (memory linear in
 * the prompt): causality says the first positions of a long prompt have exactly the residuals of
 * the prefix alone, which runs in one chunk.
 */
class ChunkedAttentionTest {
  @ParameterizedTest
  @ValueSource(strings = {"llama-base", "qwen2-base", "gemma3-base"})
  void aLongPromptsFirstPositionsMatchTheUnchunkedPrefix(String name) {
    int length = Block.QUERY_CHUNK * 2 + 17;
    int prefix = Block.QUERY_CHUNK - 6;
    long[] ids = new long[length];
    for (int i = 0; i < length; i++) {
      ids[i] = 3 + (i * 7919L) % 200;
    }
    try (DecoderModel model = DecoderModel.open(Fixtures.model(name).toString())) {
      int hidden = model.config().hidden();
      List<float[]> whole = Residuals.of(model, ids);
      List<float[]> head = Residuals.of(model, java.util.Arrays.copyOf(ids, prefix));
      for (int l = 0; l < whole.size(); l++) {
        for (int i = 0; i < prefix * hidden; i++) {
          float want = head.get(l)[i];
          assertThat(whole.get(l)[i])
              .as("%s layer %d position %d", name, l, i / hidden)
              .isCloseTo(
                  want, org.assertj.core.api.Assertions.within(1e-4f * (1 + Math.abs(want))));
        }
      }
    }
  }
}
