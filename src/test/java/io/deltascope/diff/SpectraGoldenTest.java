package io.deltascope.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.Locations;
import io.deltascope.tensor.Spectrum;
import io.deltascope.tensor.SpectrumStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every 2-D delta's spectrum against the oracle (float64 SVD by PyTorch): all singular values
 * within 1e-6 of s_max, effective rank, stable rank and top-20 energy share within 1e-6 relative.
 */
class SpectraGoldenTest {

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource({
    "llama-base, llama-sft",
    "llama-base, llama-lora-merged",
    "llama-base, llama-lora-adapter",
    "llama-base, llama-sft-resized",
    "qwen2-base, qwen2-sft",
    "gemma3-base, gemma3-sft",
    "gpt2-base, gpt2-sft"
  })
  void spectraMatchTheOracle(String a, String b) throws IOException {
    JsonNode oracle = Fixtures.pairOracle(a, b);
    Map<String, JsonNode> expected = new HashMap<>();
    oracle.get("tensors").fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue()));
    for (JsonNode c : oracle.get("shape_changed")) {
      if (c.hasNonNull("metrics_on_common_rows")) {
        expected.put(c.get("name").asText(), c.get("metrics_on_common_rows"));
      }
    }
    WeightDiffPlan plan =
        WeightDiffPlan.of(
            Checkpoint.open(Fixtures.model(a).toString()),
            Checkpoint.open(Fixtures.finetuned(a, b)));
    Map<String, ByteSource> open = new HashMap<>();
    TensorComparison comparison = new TensorComparison();
    List<String> checked = new ArrayList<>();
    try {
      for (TensorPair pair : plan.pairs()) {
        JsonNode e = expected.get(pair.name());
        Spectrum s =
            comparison
                .compare(
                    pair, f -> open.computeIfAbsent(f, Locations::open), SpectrumSettings.DEFAULT)
                .spectrum();
        if (e == null || !e.has("singular_values")) {
          assertThat(s.status()).as(pair.name()).isEqualTo(SpectrumStatus.NOT_MATRIX);
          continue;
        }
        checkAgainst(pair.name(), e, s);
        checked.add(pair.name());
      }
    } finally {
      for (ByteSource source : open.values()) {
        source.close();
      }
    }
    long withSpectra = expected.values().stream().filter(e -> e.has("singular_values")).count();
    assertThat(checked).hasSize((int) withSpectra);
  }

  static void checkAgainst(String name, JsonNode e, Spectrum s) {
    JsonNode sv = e.get("singular_values");
    double max = sv.get(0).asDouble();
    if (max == 0) {
      assertThat(s.status()).as(name).isEqualTo(SpectrumStatus.ZERO_DELTA);
      assertThat(s.effectiveRank()).as(name).isNull();
      return;
    }
    assertThat(s.status()).as(name).isEqualTo(SpectrumStatus.COMPUTED);
    assertThat(s.singularValues()).as(name).hasSize(sv.size());
    for (int i = 0; i < sv.size(); i++) {
      assertThat(s.singularValues()[i])
          .as("%s s[%d]", name, i)
          .isCloseTo(sv.get(i).asDouble(), within(1e-6 * max));
    }
    relative(name + " effective rank", s.effectiveRank(), e.get("effective_rank_entropy"));
    relative(name + " stable rank", s.stableRank(), e.get("stable_rank"));
    relative(name + " top-20 energy", s.topKEnergyShare(), e.get("top20_energy_share"));
  }

  private static void relative(String what, Double actual, JsonNode expected) {
    double x = expected.asDouble();
    assertThat(actual).as(what).isCloseTo(x, within(1e-6 * Math.abs(x)));
  }
}
