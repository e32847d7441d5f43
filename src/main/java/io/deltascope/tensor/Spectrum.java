package io.deltascope.tensor;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The singular value spectrum of a delta and what it says, all from the full spectrum (never from
 * the top k alone: an energy share computed from k values is always 1).
 *
 * @param status whether a spectrum exists, and if not why
 * @param singularValues every singular value, descending; null without a spectrum
 * @param topK how many leading values {@link #top()} and the energy share use
 * @param effectiveRank exp(H(p)) with p = s / sum(s) (Roy and Vetterli)
 * @param stableRank sum(s^2) / s_max^2
 * @param numericalRank how many singular values exceed {@code rankFloor}
 * @param rankFloor the noise floor: storage rounding and the Gram's own error ({@link RankFloor})
 * @param topKEnergyShare sum of the top k s^2 / sum of all s^2
 * @param spectralAlpha minus the least-squares slope of log s_i against log i, over the values
 *     above the floor (null with fewer than two)
 */
public record Spectrum(
    SpectrumStatus status,
    double[] singularValues,
    int topK,
    Double effectiveRank,
    Double stableRank,
    Integer numericalRank,
    Double rankFloor,
    Double topKEnergyShare,
    Double spectralAlpha)
    implements Serializable {

  /** No spectrum, and why. */
  public static Spectrum none(SpectrumStatus status) {
    return new Spectrum(status, null, 0, null, null, null, null, null, null);
  }

  /**
   * The metrics of a full spectrum.
   *
   * @param s every singular value, descending
   * @param topK leading values to report and to take the energy share of
   * @param floor values above it count towards the numerical rank
   */
  public static Spectrum of(double[] s, int topK, double floor) {
    if (s.length == 0 || !(s[0] > 0)) {
      return none(SpectrumStatus.ZERO_DELTA);
    }
    double sum = 0;
    double sum2 = 0;
    for (double v : s) {
      sum += v;
      sum2 += v * v;
    }
    double entropy = 0;
    for (double v : s) {
      if (v > 0) {
        double p = v / sum;
        entropy -= p * Math.log(p);
      }
    }
    int k = Math.min(topK, s.length);
    double top2 = 0;
    for (int i = 0; i < k; i++) {
      top2 += s[i] * s[i];
    }
    int rank = 0;
    while (rank < s.length && s[rank] > floor) {
      rank++;
    }
    return new Spectrum(
        SpectrumStatus.COMPUTED,
        s.clone(),
        topK,
        Math.exp(entropy),
        sum2 / (s[0] * s[0]),
        rank,
        floor,
        top2 / sum2,
        alpha(s, rank));
  }

  /** The leading {@code topK} singular values (fewer when the spectrum is shorter). */
  public double[] top() {
    return singularValues == null
        ? null
        : Arrays.copyOf(singularValues, Math.min(topK, singularValues.length));
  }

  public boolean isComputed() {
    return status == SpectrumStatus.COMPUTED;
  }

  // -slope of log s_i on log i, i = 1..count
  private static Double alpha(double[] s, int count) {
    if (count < 2) {
      return null;
    }
    double mx = 0;
    double my = 0;
    for (int i = 0; i < count; i++) {
      mx += Math.log(i + 1);
      my += Math.log(s[i]);
    }
    mx /= count;
    my /= count;
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < count; i++) {
      double dx = Math.log(i + 1) - mx;
      sxy += dx * (Math.log(s[i]) - my);
      sxx += dx * dx;
    }
    return -sxy / sxx;
  }
}
