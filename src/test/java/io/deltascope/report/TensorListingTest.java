package io.deltascope.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diff.ComponentDelta;
import io.deltascope.diff.LocalDiff;
import io.deltascope.diff.Structural;
import io.deltascope.diff.Summary;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.Metric;
import io.deltascope.results.TensorMetricsRow;
import io.deltascope.results.TensorResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** weight-diff's per-tensor table and the layer x component matrix on the terminal. */
class TensorListingTest {
  private static WeightDiffResult result;
  private static JsonNode oracle;

  @BeforeAll
  static void diff() {
    result = LocalDiff.of("llama-base", "llama-sft");
    oracle = Fixtures.pairOracle("llama-base", "llama-sft").get("tensors");
  }

  @Test
  void aSmallPairGetsOneRowPerTensorWithTheOraclesNumbers() {
    String out = TerminalReport.weightDiff(result, 5, List.of(), Diagnosis.of(result));
    assertThat(out)
        .contains("Tensors (39 of 39):")
        .containsPattern(
            "Tensor\\s+rel.change\\s+cosine\\s+L2\\s+max\\|d\\|\\s+mean\\|d\\|\\s+eff.rank"
                + "\\s+top-k\\s+sparsity\n");
    JsonNode head = oracle.get("lm_head.weight");
    String row = out.lines().filter(l -> l.startsWith("lm_head.weight ")).findFirst().orElseThrow();
    assertThat(row.split("\\s+"))
        .containsExactly(
            "lm_head.weight",
            TerminalReport.number(head.get("relative_delta").asDouble()),
            TerminalReport.number(head.get("cosine").asDouble()),
            TerminalReport.number(head.get("l2_distance").asDouble()),
            TerminalReport.number(head.get("max_abs_diff").asDouble()),
            TerminalReport.number(head.get("mean_abs_diff").asDouble()),
            TerminalReport.number(head.get("effective_rank_entropy").asDouble()),
            TerminalReport.number(head.get("top20_energy_share").asDouble()),
            String.format(
                java.util.Locale.ROOT, "%.2f%%", 100 * head.get("sparsity_1e-5").asDouble()));
  }

  @Test
  void sortsFiltersAndLimits() {
    TensorListing listing = TensorListing.parse(null, "cosine:asc", "self_attn\\.[ov]_proj", 3);
    List<String> names = listing.select(result).stream().map(TensorResult::name).toList();
    assertThat(names)
        .containsExactly(
            "model.layers.1.self_attn.o_proj.weight",
            "model.layers.3.self_attn.o_proj.weight",
            "model.layers.1.self_attn.v_proj.weight");
    List<Double> cosines =
        TensorListing.parse(null, "cosine", null, null).select(result).stream()
            .map(Metric.COSINE::doubleOf)
            .toList();
    assertThat(cosines).hasSize(39).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    String out = TerminalReport.weightDiff(result, 5, List.of(), Diagnosis.of(result), listing);
    assertThat(out)
        .contains("Tensors (3 of 39, by cosine ascending, matching self_attn\\.[ov]_proj):");
  }

  @Test
  void noTensorsHidesTheTableAndBadValuesSayWhatIsExpected() {
    TensorListing hidden = TensorListing.parse(false, null, null, null);
    assertThat(TerminalReport.weightDiff(result, 5, List.of(), Diagnosis.of(result), hidden))
        .doesNotContain("Tensors (");
    assertThatThrownBy(() -> TensorListing.parse(null, "speed", null, null))
        .hasMessageStartingWith("--sort 'speed': no such metric (one of n_params, norm_base");
    assertThatThrownBy(() -> TensorListing.parse(null, "cosine:up", null, null))
        .hasMessage("--sort 'cosine:up': expected METRIC, METRIC:asc or METRIC:desc");
    assertThatThrownBy(() -> TensorListing.parse(null, null, "[", null))
        .hasMessageStartingWith("--filter '[': not a regular expression");
    assertThatThrownBy(() -> TensorListing.parse(null, null, null, -1))
        .hasMessage("--limit must be 0 or more, not -1");
  }

  @Test
  void aDeepModelGetsOneLinePerLayerInsteadOfOnePerLayerAndComponent() {
    List<TensorResult> rows = new ArrayList<>();
    String[] components = {"attn_q", "attn_k", "attn_v", "attn_o", "mlp_up", "mlp_down"};
    for (int layer = 0; layer < 24; layer++) {
      for (int c = 0; c < components.length; c++) {
        rows.add(row(layer, components[c], 0.01 * (layer + 1) * (c + 1) / 6));
      }
    }
    rows.add(row(null, "embed", 0.02));
    Structural none =
        new Structural(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    WeightDiffResult deep =
        new WeightDiffResult(
            "a", "b", rows, none, ComponentDelta.aggregate(rows), Summary.of(rows, none));
    String out =
        TerminalReport.weightDiff(
            deep, 3, List.of(), Diagnosis.of(deep), TensorListing.parse(false, null, null, null));
    assertThat(out)
        .contains("Relative change by layer and component (* above 0.1):")
        .containsPattern("Layer\\s+attn_k\\s+attn_o\\s+attn_q\\s+attn_v\\s+mlp_down\\s+mlp_up\n")
        .containsPattern(
            "\n0\\s+0\\.0033\\s+0\\.0067\\s+0\\.0017\\s+0\\.0050\\s+0\\.0100\\s+0\\.0083\\s*\n")
        .containsPattern(
            "\n23\\s+0\\.0800\\s+0\\.1600\\*\\s+0\\.0400\\s+0\\.1200\\*\\s+0\\.2400\\*\\s+0\\.2000\\*\n")
        .contains("Outside the layers:  embed 0.020000")
        .doesNotContain("Rel. Diff");
    long lines = out.lines().count();
    assertThat(lines).isLessThan(24 * 6); // one line per layer, not one per layer and component
  }

  private static TensorResult row(Integer layer, String component, double relative) {
    TensorMetricsRow r = new TensorMetricsRow();
    r.setName((layer == null ? "" : "model.layers." + layer + ".") + component + ".weight");
    r.setLayer(layer);
    r.setComponent(component);
    r.setStatus("compared");
    r.setShapeBase(List.of(8L, 8L));
    r.setNParams(64L);
    r.setNormBase(1.0);
    r.setNormFinetuned(1.0);
    r.setL2Distance(relative);
    r.setRelativeDelta(relative);
    r.setCosine(1.0);
    r.setZeroFraction(0.0);
    r.setNanCount(0L);
    r.setInfCount(0L);
    return r.toResult();
  }
}
