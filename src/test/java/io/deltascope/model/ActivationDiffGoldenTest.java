package io.deltascope.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
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
      JsonNode e = perPrompt.get(i);
      assertThat(ours.get(i).prompt()).isEqualTo(e.get("prompt").asText());
      assertClose(ours.get(i).lastToken(), e.get("cosine_last_token_by_layer"));
      assertClose(ours.get(i).meanOverTokens(), e.get("cosine_mean_over_tokens_by_layer"));
    }
  }

  private static void assertClose(double[] ours, JsonNode expected) {
    assertThat(ours).hasSize(expected.size());
    for (int l = 0; l < ours.length; l++) {
      assertThat(ours[l]).as("layer %d", l).isCloseTo(expected.get(l).asDouble(), within(1e-5));
    }
  }
}
