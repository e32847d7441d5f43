package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GGUF on one side of activation-diff: dequantized and un-permuted while its layers stream, fed
 * the source's tokens (a GGUF has no tokenizer.json), so a user sees at which layer quantization
 * moves the hidden states.
 */
class GgufForwardTest {
  @TempDir Path dir;

  private static final String SOURCE = Fixtures.model("llama-sft").toString();

  @Test
  void anF16GgufRunsAsItsSourceAndQuantizedOnesDriftMoreTheCoarserTheyAre() {
    List<Double> f16 = cosines("f16");
    List<Double> q8 = cosines("q8_0");
    List<Double> q4 = cosines("q4_0");
    assertThat(f16).hasSize(5).allSatisfy(c -> assertThat(c).isGreaterThan(1 - 1e-6));
    for (int layer = 0; layer < 5; layer++) {
      assertThat(q8.get(layer)).isLessThan(1 - 1e-6).isGreaterThan(0.999);
      assertThat(q4.get(layer)).isLessThan(q8.get(layer)).isGreaterThan(0.98);
    }
  }

  @Test
  void theLogitLensOfAnF16GgufIsTheSourcesWithinF16Rounding() {
    Path out = dir.resolve("compare.json");
    CliRun run =
        CliRun.of(
            "compare",
            "-m1",
            SOURCE,
            "-m2",
            gguf("f16"),
            "--tokenizer",
            SOURCE,
            "-p",
            "The answer is",
            "--top-k",
            "10",
            "-o",
            out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode models = Fixtures.json(out).get("models");
    JsonNode source = models.get(0).get("layers");
    JsonNode quantized = models.get(1).get("layers");
    assertThat(quantized).hasSize(source.size());
    for (int layer = 0; layer < source.size(); layer++) {
      JsonNode a = source.get(layer).get("top");
      JsonNode b = quantized.get(layer).get("top");
      for (int k = 0; k < a.size(); k++) {
        assertThat(b.get(k).get("id").asInt())
            .as("layer %d rank %d", layer, k)
            .isEqualTo(a.get(k).get("id").asInt());
        assertThat(b.get(k).get("prob").asDouble())
            .isCloseTo(
                a.get(k).get("prob").asDouble(), org.assertj.core.api.Assertions.within(1e-4));
      }
    }
  }

  @Test
  void withoutASharedTokenizerAGgufSaysItHasNone() {
    CliRun run =
        CliRun.of("activation-diff", "-b", SOURCE, "-f", gguf("q8_0"), "-p", "The answer is");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine()).contains("no tokenizer.json");
  }

  private List<Double> cosines(String type) {
    Path out = dir.resolve(type + ".json");
    CliRun run =
        CliRun.of(
            "activation-diff",
            "-b",
            SOURCE,
            "-f",
            gguf(type),
            "-p",
            "The answer is,Hello world",
            "--shared-tokenizer",
            "-o",
            out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<Double> cosines = new ArrayList<>();
    for (JsonNode layer : Fixtures.json(out).get("layers")) {
      cosines.add(layer.get("cosine_last_token").asDouble());
    }
    return cosines;
  }

  private static String gguf(String type) {
    return Fixtures.root().resolve("gguf/llama-sft." + type + ".gguf").toString();
  }
}
