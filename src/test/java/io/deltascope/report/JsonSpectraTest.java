package io.deltascope.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.diff.LocalDiff;
import org.junit.jupiter.api.Test;

/** The JSON carries the spectrum of a vocabulary resize's common rows, as the oracle has it. */
class JsonSpectraTest {

  @Test
  void reshapedTensorsCarryTheSpectrumOfTheirCommonRows() {
    JsonNode json = JsonReport.weightDiff(LocalDiff.of("llama-base", "llama-sft-resized"));
    JsonNode oracle = Fixtures.pairOracle("llama-base", "llama-sft-resized");
    int checked = 0;
    for (JsonNode change : json.get("structural").get("shape_changed")) {
      JsonNode ours = change.get("metrics_on_common_rows");
      JsonNode expected = null;
      for (JsonNode o : oracle.get("shape_changed")) {
        if (o.get("name").asText().equals(change.get("name").asText())) {
          expected = o.get("metrics_on_common_rows");
        }
      }
      double er = expected.get("effective_rank_entropy").asDouble();
      assertThat(ours.get("spectrum_status").asText()).isEqualTo("computed");
      assertThat(ours.get("effective_rank").asDouble()).isCloseTo(er, within(1e-6 * er));
      assertThat(ours.get("singular_values_top").get(0).asDouble())
          .isCloseTo(
              expected.get("singular_values").get(0).asDouble(),
              within(1e-6 * expected.get("singular_values").get(0).asDouble()));
      checked++;
    }
    assertThat(checked).isEqualTo(2);
  }
}
