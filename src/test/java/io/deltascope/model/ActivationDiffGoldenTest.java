package io.deltascope.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.diff.ActivationDiffResult;
import io.deltascope.job.ComputeActivationCosines;
import io.deltascope.results.ActivationMetricsRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Residual-stream cosines of every fixture pair against the oracle's {@code activation}. */
class ActivationDiffGoldenTest {

  @ParameterizedTest
  @CsvSource({
    "llama-base, llama-sft",
    "llama-base, llama-lora-merged",
    "llama-base, llama-sft-resized",
    "qwen2-base, qwen2-sft",
    "gemma3-base, gemma3-sft",
    "gpt2-base, gpt2-sft"
  })
  void cosinesAtTheLastTokenAndOverTokensMatchTheOracleAtEveryLayer(String a, String b) {
    JsonNode oracle = Fixtures.pairOracle(a, b).get("activation");
    List<PromptPair> prompts = new ArrayList<>();
    try (PromptTokenizer ta = PromptTokenizer.open(Fixtures.model(a).toString());
        PromptTokenizer tb = PromptTokenizer.open(Fixtures.model(b).toString())) {
      List<String> texts = Oracle.prompts();
      for (int i = 0; i < texts.size(); i++) {
        prompts.add(
            new PromptPair(i, texts.get(i), ta.encode(texts.get(i)), tb.encode(texts.get(i))));
      }
    }
    List<PromptCosines> ours;
    try (DecoderModel base = DecoderModel.open(Fixtures.model(a).toString());
        DecoderModel tuned = DecoderModel.open(Fixtures.model(b).toString())) {
      ours = ActivationDiff.run(base, tuned, prompts);
    }
    JsonNode perPrompt = oracle.get("per_prompt");
    assertThat(ours).hasSize(perPrompt.size());
    for (int i = 0; i < ours.size(); i++) {
      assertThat(ours.get(i).prompt()).isEqualTo(perPrompt.get(i).get("prompt").asText());
    }
    // through the rows every command stores: layer l is block l's output, the embeddings -1; the
    // oracle indexes hidden_states, 0 the embeddings
    ActivationDiffResult result =
        ActivationDiffResult.of(a, b, prompts, ComputeActivationCosines.rows(ours));
    int blocks =
        io.deltascope.checkpoint.Checkpoint.open(Fixtures.model(a).toString()).config().numLayers();
    assertThat(result.layers())
        .extracting(ActivationDiffResult.LayerCosine::layer)
        .startsWith(-1, 0)
        .endsWith(blocks - 1)
        .hasSize(blocks + 1);
    for (ActivationMetricsRow row : result.rows()) {
      JsonNode e = perPrompt.get(row.getPromptIndex());
      int oracleIndex = row.getLayer() + 1;
      String what = "prompt " + row.getPromptIndex() + " layer " + row.getLayer();
      assertThat(row.getCosineLastToken())
          .as(what)
          .isCloseTo(e.get("cosine_last_token_by_layer").get(oracleIndex).asDouble(), within(1e-5));
      assertThat(row.getCosineAllTokens())
          .as(what)
          .isCloseTo(
              e.get("cosine_mean_over_tokens_by_layer").get(oracleIndex).asDouble(), within(1e-5));
    }
    for (int i = 0; i < ours.size(); i++) {
      JsonNode e = perPrompt.get(i);
      assertClose(ours.get(i).lastToken(), e.get("cosine_last_token_by_layer"));
      assertClose(ours.get(i).meanOverTokens(), e.get("cosine_mean_over_tokens_by_layer"));
    }
    assertThat(result.firstNonFiniteLayer()).isNull();
  }

  private static void assertClose(double[] ours, JsonNode expected) {
    assertThat(ours).hasSize(expected.size());
    for (int l = 0; l < ours.length; l++) {
      assertThat(ours[l]).as("layer %d", l).isCloseTo(expected.get(l).asDouble(), within(1e-5));
    }
  }
}
