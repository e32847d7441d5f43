package io.deltascope.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.diff.Structural;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorResult;
import io.deltascope.tensor.DeltaMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every tensor of every shared pair, compared on Spark, against the numbers HuggingFace's own code
 * computed in float64 (fixtures/expected/A__B.json).
 */
class WeightDiffGoldenTest {
  private static final double RELATIVE = 1e-9;
  private static final Map<String, String> TORCH_DTYPES =
      Map.of("bfloat16", "BF16", "float16", "F16", "float32", "F32", "float64", "F64");

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource({
    "llama-base, llama-sft",
    "llama-base, llama-lora-merged",
    "llama-base, llama-lora-adapter",
    "llama-base, llama-sft-resized",
    "qwen2-base, qwen2-sft",
    "gemma3-base, gemma3-sft",
    "gpt2-base, gpt2-sft",
  })
  void everyTensorMatchesTheOracle(String a, String b) {
    JsonNode oracle = Fixtures.pairOracle(a, b);
    WeightDiffResult result = weightDiff(a, b);

    Map<String, TensorResult> compared =
        result.compared().stream()
            .collect(Collectors.toMap(TensorResult::name, Function.identity()));
    assertThat(compared.keySet()).isEqualTo(names(oracle.get("tensors")));
    oracle
        .get("tensors")
        .fields()
        .forEachRemaining(e -> assertRowMatches(compared.get(e.getKey()), e.getValue(), b));
  }

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource({
    "llama-base, llama-sft",
    "llama-base, llama-lora-merged",
    "llama-base, llama-lora-adapter",
    "llama-base, llama-sft-resized",
    "qwen2-base, qwen2-sft",
    "gemma3-base, gemma3-sft",
    "gpt2-base, gpt2-sft",
  })
  void structuralChangesMatchTheOracleExactly(String a, String b) {
    JsonNode oracle = Fixtures.pairOracle(a, b);
    Structural s = weightDiff(a, b).structural();

    assertThat(s.onlyInBase()).containsExactlyElementsOf(texts(oracle.get("only_in_a")));
    assertThat(s.onlyInFinetuned()).containsExactlyElementsOf(texts(oracle.get("only_in_b")));
    List<String> retyped = new ArrayList<>();
    oracle
        .get("tensors")
        .fields()
        .forEachRemaining(
            e -> {
              if (!storedType(e.getValue(), "dtype_a", b)
                  .equals(storedType(e.getValue(), "dtype_b", b))) {
                retyped.add(e.getKey());
              }
            });
    assertThat(s.dtypeChanged().stream().map(Structural.DtypeChange::name))
        .containsExactlyInAnyOrderElementsOf(retyped);

    JsonNode shapes = oracle.get("shape_changed");
    assertThat(s.shapeChanged()).hasSize(shapes.size());
    for (JsonNode expected : shapes) {
      Structural.ShapeChange actual =
          s.shapeChanged().stream()
              .filter(c -> c.name().equals(expected.get("name").asText()))
              .findFirst()
              .orElseThrow();
      assertThat(actual.shapeBase().asList()).isEqualTo(longs(expected.get("shape_a")));
      assertThat(actual.shapeFinetuned().asList()).isEqualTo(longs(expected.get("shape_b")));
      assertThat(actual.commonRows()).isEqualTo(expected.get("common_rows").asLong());
      assertMetricsMatch(
          actual.name(), actual.metricsOnCommonRows(), expected.get("metrics_on_common_rows"));
    }
  }

  static WeightDiffResult weightDiff(String a, String b) {
    WeightDiffPlan plan =
        WeightDiffPlan.of(
            Checkpoint.open(Fixtures.model(a).toString()),
            Checkpoint.open(Fixtures.finetuned(a, b)));
    return WeightDiffJob.run(TestSpark.session(), plan, false);
  }

  /**
   * The stored type of a side as the oracle gives it. The unmerged adapter's oracle holds numpy's
   * float64 merge (base + scale B A) as its fine-tune; deltascope merges in float64 too, but only
   * in memory: an adapter-applied tensor is stored in its base's type (issue #23).
   */
  private static String storedType(JsonNode expected, String side, String finetuned) {
    String key = finetuned.equals("llama-lora-adapter") ? "dtype_a" : side;
    return TORCH_DTYPES.get(expected.get(key).asText());
  }

  private static void assertRowMatches(TensorResult row, JsonNode expected, String finetuned) {
    String name = row.name();
    assertThat(row.shapeBase()).as(name).isEqualTo(longs(expected.get("shape")));
    assertThat(row.dtypeBase()).as(name).isEqualTo(storedType(expected, "dtype_a", finetuned));
    assertThat(row.dtypeFinetuned()).as(name).isEqualTo(storedType(expected, "dtype_b", finetuned));
    assertMetricsMatch(name, WeightDiffResult.metricsOf(row), expected);
  }

  private static void assertMetricsMatch(String name, DeltaMetrics m, JsonNode expected) {
    assertThat(m).as(name + " has metrics").isNotNull();
    assertThat(m.nParams()).as(name + " n_params").isEqualTo(expected.get("n_params").asLong());
    close(name, "norm_a", m.normBase(), expected);
    close(name, "norm_b", m.normFinetuned(), expected);
    close(name, "l2_distance", m.l2Distance(), expected);
    close(name, "relative_delta", m.relativeDelta(), expected);
    close(name, "cosine", m.cosine(), expected);
    close(name, "max_abs_diff", m.maxAbsDiff(), expected);
    close(name, "mean_abs_diff", m.meanAbsDiff(), expected);
    close(name, "sparsity_1e-5", m.sparsity(), expected);
    close(name, "zero_fraction", m.zeroFraction(), expected);
  }

  private static void close(String name, String field, Double actual, JsonNode expected) {
    double want = expected.get(field).asDouble();
    assertThat(actual).as(name + " " + field).isNotNull();
    double tolerance = RELATIVE * Math.max(Math.abs(want), Double.MIN_NORMAL);
    assertThat(Math.abs(actual - want))
        .as("%s %s: %s vs oracle %s", name, field, actual, want)
        .isLessThanOrEqualTo(tolerance);
  }

  private static TreeSet<String> names(JsonNode object) {
    TreeSet<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asLong()));
    return out;
  }
}
