package io.deltascope.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.Fixtures;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diff.LocalDiff;
import io.deltascope.diff.Summary;
import io.deltascope.diff.WeightDiffResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed tools' headline totals and the one headline mean, against the oracle's per-tensor
 * numbers: summary, JSON and terminal.
 */
class HeadlineTotalsTest {
  private static final double RELATIVE = 1e-9;

  @Test
  void totalsEqualTheOraclesPerTensorNumbersTakenTogether() {
    WeightDiffResult result = LocalDiff.of("llama-base", "llama-sft");
    JsonNode oracle = Fixtures.pairOracle("llama-base", "llama-sft").get("tensors");
    List<JsonNode> tensors = new ArrayList<>();
    oracle.forEach(tensors::add);

    double sumL2Squared = 0;
    double sumL2 = 0;
    double maxAbs = 0;
    double sumCosine = 0;
    double sumRank = 0;
    int ranked = 0;
    double sumMatrixRelative = 0;
    int matrices = 0;
    for (JsonNode t : tensors) {
      double l2 = t.get("l2_distance").asDouble();
      sumL2Squared += l2 * l2;
      sumL2 += l2;
      maxAbs = Math.max(maxAbs, t.get("max_abs_diff").asDouble());
      sumCosine += t.get("cosine").asDouble();
      if (t.has("effective_rank_entropy") && !t.get("effective_rank_entropy").isNull()) {
        sumRank += t.get("effective_rank_entropy").asDouble();
        ranked++;
      }
      if (t.get("shape").size() == 2) {
        sumMatrixRelative += t.get("relative_delta").asDouble();
        matrices++;
      }
    }
    Map<String, Double> expected =
        Map.of(
            "total_l2_distance", Math.sqrt(sumL2Squared),
            "mean_l2_distance", sumL2 / tensors.size(),
            "max_abs_diff", maxAbs,
            "mean_cosine", sumCosine / tensors.size(),
            "mean_effective_rank", sumRank / ranked,
            "mean_relative_delta", sumMatrixRelative / matrices);

    Summary s = result.summary();
    assertThat(s.matricesAveraged()).isEqualTo(matrices).isEqualTo(30);
    close(s.totalL2Distance(), expected.get("total_l2_distance"));
    close(s.meanL2Distance(), expected.get("mean_l2_distance"));
    close(s.maxAbsDiff(), expected.get("max_abs_diff"));
    close(s.meanCosine(), expected.get("mean_cosine"));
    close(s.meanEffectiveRank(), expected.get("mean_effective_rank"));
    close(s.meanMatrixRelativeDelta(), expected.get("mean_relative_delta"));

    Diagnosis diagnosis = Diagnosis.of(result);
    ObjectNode json = JsonReport.weightDiff(result, List.of(), diagnosis);
    JsonNode summary = json.get("summary");
    expected.forEach((key, value) -> close(summary.get(key).asDouble(), value));
    assertThat(summary.get("mean_relative_delta_of").asText())
        .isEqualTo(
            "unweighted mean of relative_delta over the 30 compared 2-D weight matrices"
                + " (embeddings and head included)");
    // the diagnosis profile reads the same mean, not a second one
    assertThat(json.get("diagnosis").get("mean_relative_delta").asDouble())
        .isEqualTo(summary.get("mean_relative_delta").asDouble());

    String terminal = TerminalReport.weightDiff(result, 5, List.of(), diagnosis);
    assertThat(terminal)
        .contains("  mean relative change: 0.083361 (over 30 weight matrices)\n")
        .contains(
            "  total L2 distance:    "
                + TerminalReport.number(expected.get("total_l2_distance"))
                + "\n")
        .contains("  max abs difference:   0.019653\n")
        .contains(
            "  mean effective rank:  "
                + TerminalReport.number(expected.get("mean_effective_rank"))
                + "\n")
        .doesNotContain("0.0653"); // the mean over every tensor is gone
  }

  private static void close(Double actual, double expected) {
    assertThat(actual).isNotNull();
    assertThat(actual).isCloseTo(expected, within(RELATIVE * Math.abs(expected)));
  }
}
