package io.deltascope.diff;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.results.LogitLensRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Assembling compare's result from logit-lens rows. */
class CompareResultTest {

  private static LogitLensRow row(int layer, int rank, long id, double prob, boolean tracked) {
    LogitLensRow r = new LogitLensRow();
    r.setModelIndex(1);
    r.setModel("m");
    r.setPrompt("p");
    r.setLayer(layer);
    r.setRank(rank);
    r.setTokenId(id);
    r.setToken("t" + id);
    r.setProb(prob);
    r.setTracked(tracked);
    return r;
  }

  @Test
  void aTrackedTokenEmergesAtTheFirstLayerWhereItRanksFirstAndStaysUnsetIfItNeverDoes() {
    List<LogitLensRow> rows = new ArrayList<>();
    // token 7 ranks 3, 1, 2 over layers embed (-1), 0 and 1; token 9 never ranks first
    int[] ranks7 = {3, 1, 2};
    for (int l = -1; l < 2; l++) {
      rows.add(row(l, 1, 5, 0.5, false));
      rows.add(row(l, ranks7[l + 1], 7, 0.1 * (l + 2), true));
      rows.add(row(l, 40, 9, 0.001, true));
    }
    CompareResult result =
        CompareResult.of(
            "p",
            List.of(
                new CompareResult.ModelRequest(
                    1,
                    "m",
                    List.of("a", "b"),
                    List.of(
                        new CompareResult.TrackedRequest("seven", 7, 1),
                        new CompareResult.TrackedRequest("nine", 9, 2)))),
            rows);
    CompareResult.ModelLens lens = result.models().get(0);
    assertThat(lens.layers()).extracting(CompareResult.LayerTop::layer).containsExactly(-1, 0, 1);
    assertThat(lens.firstNonFiniteLayer()).isNull();
    assertThat(lens.finalPredictions())
        .extracting(CompareResult.Prediction::id)
        .containsExactly(5L);
    CompareResult.Tracked seven = lens.tracked().get(0);
    assertThat(seven.emergenceLayer()).isEqualTo(0);
    assertThat(seven.idText()).isEqualTo("t7");
    assertThat(seven.probByLayer()).containsExactly(0.1, 0.2, 0.30000000000000004);
    assertThat(seven.finalProb()).isEqualTo(0.30000000000000004);
    CompareResult.Tracked nine = lens.tracked().get(1);
    assertThat(nine.emergenceLayer()).isNull();
    assertThat(nine.pieces()).isEqualTo(2);
  }

  @Test
  void theFirstLayerWithProbabilitiesThatAreNotNumbersIsNamed() {
    List<LogitLensRow> rows = new ArrayList<>();
    for (int l = -1; l < 3; l++) {
      rows.add(row(l, 1, 5, l < 1 ? 0.5 : Double.NaN, false));
    }
    CompareResult result =
        CompareResult.of(
            "p", List.of(new CompareResult.ModelRequest(1, "m", List.of("a"), List.of())), rows);
    assertThat(result.models().get(0).firstNonFiniteLayer()).isEqualTo(1);
  }
}
