package io.deltascope.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.deltascope.Planted;
import org.junit.jupiter.api.Test;

/** Planted spectra U diag(s) V^T come back from the Gram and LAPACK, tall, wide and streamed. */
class GramAccumulatorTest {
  private static final double[] S = {9.5, 7.25, 3.0, 1.5, 0.75, 0.125};

  @Test
  void aTallDeltaGivesItsPlantedSingularValuesAndZerosForTheRest() {
    double[] s = singularValues(300, 40, Planted.matrix(300, 40, S, 1), 977);
    assertThat(s).hasSize(40);
    assertPlanted(s);
  }

  @Test
  void aWideDeltaUsesTheGramOfItsRowsAndGivesTheSameValues() {
    double[] s = singularValues(24, 500, Planted.matrix(24, 500, S, 2), 4096);
    assertThat(s).hasSize(24);
    assertPlanted(s);
  }

  @Test
  void aTallDeltaLargerThanOneBlockIsStreamedBlockByBlock() {
    int cols = 16;
    int rows = GramAccumulator.BLOCK_ELEMENTS / cols * 2 + 333; // two full blocks and a part
    double[] s = singularValues(rows, cols, Planted.matrix(rows, cols, S, 3), 65536);
    assertPlanted(s);
  }

  @Test
  void theDeltaIsTheFinetunedMinusTheBase() {
    double[] base = Planted.gaussian(60 * 20, 1.0, 4);
    double[] delta = Planted.matrix(60, 20, S, 5);
    double[] finetuned = Planted.plus(base, delta);
    GramAccumulator g = new GramAccumulator(60, 20, new GramAccumulator.Workspace());
    g.add(base, finetuned, base.length);
    assertPlanted(g.singularValues());
  }

  @Test
  void anUntouchedDeltaHasAZeroGram() {
    GramAccumulator g = new GramAccumulator(50, 10, new GramAccumulator.Workspace());
    double[] same = Planted.gaussian(500, 1.0, 6);
    g.add(same, same, 500);
    assertThat(g.singularValues()).containsOnly(0.0);
  }

  @Test
  void aWorkspaceServesTensorsOfDifferentShapesInTurn() {
    GramAccumulator.Workspace w = new GramAccumulator.Workspace();
    for (int[] shape : new int[][] {{100, 30}, {20, 90}, {64, 64}}) {
      double[] d = Planted.matrix(shape[0], shape[1], S, shape[0]);
      GramAccumulator g = new GramAccumulator(shape[0], shape[1], w);
      g.add(new double[d.length], d, d.length);
      assertPlanted(g.singularValues());
    }
  }

  /** Feeds the delta (base zero) in chunks of {@code chunk} values, as TensorReader does. */
  private static double[] singularValues(int rows, int cols, double[] delta, int chunk) {
    GramAccumulator g = new GramAccumulator(rows, cols, new GramAccumulator.Workspace());
    double[] zeros = new double[chunk];
    double[] part = new double[chunk];
    for (int at = 0; at < delta.length; at += chunk) {
      int n = Math.min(chunk, delta.length - at);
      System.arraycopy(delta, at, part, 0, n);
      g.add(zeros, part, n);
    }
    return g.singularValues();
  }

  private static void assertPlanted(double[] s) {
    for (int i = 0; i < S.length; i++) {
      assertThat(s[i]).as("s[%d]", i).isCloseTo(S[i], within(1e-10 * S[0]));
    }
    for (int i = S.length; i < s.length; i++) {
      assertThat(s[i]).as("s[%d]", i).isLessThan(1e-6 * S[0]);
    }
  }
}
