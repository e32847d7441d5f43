package io.deltascope.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Singular values of scale * B A from the factors against the Gram of the full product. */
class LowRankSpectrumTest {

  @ParameterizedTest(name = "out {0}, in {1}, r {2}")
  @CsvSource({"40, 30, 4", "30, 40, 4", "50, 50, 1", "3, 20, 5", "20, 3, 5", "16, 16, 16"})
  void matchesTheFullGram(int out, int in, int rank) {
    Random random = new Random(out * 31L + in * 7L + rank);
    double[] b = gaussian(random, out * rank);
    double[] a = gaussian(random, rank * in);
    double scale = -1.5;
    double[] full = new double[out * in]; // row-major [out, in]
    for (int i = 0; i < out; i++) {
      for (int j = 0; j < in; j++) {
        for (int k = 0; k < rank; k++) {
          full[i * in + j] += scale * b[i * rank + k] * a[k * in + j];
        }
      }
    }
    double[] expected = gramSingularValues(full, out, in);
    double[] s = LowRankSpectrum.singularValues(b, a, rank, scale);
    assertThat(s).hasSize(Math.min(out, in));
    for (int i = 0; i < s.length; i++) {
      assertThat(s[i]).as("s[%d]", i).isCloseTo(expected[i], within(1e-6 * expected[0]));
    }
  }

  @ParameterizedTest(name = "rank-deficient B: column {0} zero")
  @CsvSource({"0", "2"})
  void aRankDeficientFactorGivesZeros(int zeroColumn) {
    Random random = new Random(5);
    int out = 12;
    int in = 9;
    int rank = 3;
    double[] b = gaussian(random, out * rank);
    for (int i = 0; i < out; i++) {
      b[i * rank + zeroColumn] = 0;
    }
    double[] s = LowRankSpectrum.singularValues(b, gaussian(random, rank * in), rank, 1.0);
    assertThat(s[1]).isGreaterThan(0);
    // a Gram's eigenvalue resolves singular values down to about sqrt(machine epsilon) * s_max
    assertThat(s[2]).isCloseTo(0.0, within(1e-7 * s[0]));
  }

  private static double[] gramSingularValues(double[] m, int rows, int cols) {
    double[] gram = new double[cols * cols]; // M^T M, column-major
    for (int i = 0; i < cols; i++) {
      for (int j = 0; j < cols; j++) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
          sum += m[r * cols + i] * m[r * cols + j];
        }
        gram[j * cols + i] = sum;
      }
    }
    double[] s = GramAccumulator.singularValuesOfGram(gram, cols);
    return java.util.Arrays.copyOf(s, Math.min(rows, cols));
  }

  private static double[] gaussian(Random random, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextGaussian();
    }
    return v;
  }
}
