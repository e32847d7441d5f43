package io.deltascope.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.job.WeightDiffJob;
import io.deltascope.results.TensorResult;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * weight-diff of the source safetensors against its GGUF conversions, on Spark: the drift of every
 * dequantized, un-permuted tensor equals what gguf-py and numpy computed (NAME.gguf.json).
 */
class QuantizationDriftTest {

  @ParameterizedTest
  @ValueSource(strings = {"llama-sft.f16.gguf", "llama-sft.q8_0.gguf", "llama-sft.q4_0.gguf"})
  void driftFromTheSourceMatchesTheOracleForEveryTensor(String name) {
    JsonNode oracle = Fixtures.json(GgufFileTest.gguf(name + ".json"));
    WeightDiffPlan plan =
        WeightDiffPlan.of(
            Checkpoint.open(Fixtures.model("llama-sft").toString()),
            Checkpoint.open(GgufFileTest.gguf(name).toString()));

    WeightDiffResult result = WeightDiffJob.run(TestSpark.session(), plan, false);

    assertThat(plan.structural().onlyInBase()).isEmpty();
    assertThat(plan.structural().onlyInFinetuned()).isEmpty();
    assertThat(plan.structural().shapeChanged()).isEmpty();
    Map<String, TensorResult> rows =
        result.compared().stream()
            .collect(Collectors.toMap(TensorResult::name, Function.identity()));
    assertThat(rows).hasSize(oracle.get("tensors").size());
    for (JsonNode expected : oracle.get("tensors")) {
      String hf = expected.get("hf_name").asText();
      TensorResult row = rows.get(hf);
      assertThat(row).as(hf).isNotNull();
      assertThat(row.dtypeFinetuned()).isEqualTo(expected.get("ggml_type").asText());
      assertThat(row.dtypeBase()).isEqualTo("BF16");
      JsonNode drift = expected.get("drift_from_source");
      close(hf, "relative_delta", row.relativeDelta(), drift);
      close(hf, "l2_distance", row.l2Distance(), drift);
      close(hf, "cosine", row.cosine(), drift);
      close(hf, "max_abs_diff", row.maxAbsDiff(), drift);
      close(hf, "mean_abs_diff", row.meanAbsDiff(), drift);
      close(hf, "rmse", row.rmse(), drift);
    }
  }

  /** Within 1e-9 relative (and exactly 0 where the oracle has 0, to 1e-15). */
  static void close(String tensor, String metric, Double got, JsonNode drift) {
    double want = drift.get(metric).asDouble();
    assertThat(got).as("%s %s", tensor, metric).isNotNull();
    assertThat(got)
        .as("%s %s", tensor, metric)
        .isCloseTo(want, within(1e-9 * Math.abs(want) + 1e-15));
  }
}
