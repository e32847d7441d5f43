package io.deltascope.diagnosis;

import io.deltascope.results.TensorResult;
import java.util.List;
import java.util.Locale;

/**
 * A changed matrix's numerical rank as measured: its spectrum's, else (spectra off) the fast scan's
 * randomized sketch's ({@code tensor.RankProbe}); null where neither measured it.
 */
final class MeasuredRank {
  private MeasuredRank() {}

  static Integer of(TensorResult r) {
    return r.numericalRank() != null ? r.numericalRank() : r.rankProbe();
  }

  /**
   * "Rank not measured": some changed matrices have no rank and none of those measured rules a
   * merged LoRA out, so the LoRA test was not run; null otherwise (the test ran, or a measured
   * matrix of high rank already decided it).
   */
  static Finding notMeasured(PairRows rows) {
    List<TensorResult> changed = rows.changedMatrices();
    List<TensorResult> missing = changed.stream().filter(r -> of(r) == null).toList();
    boolean highRankSeen =
        changed.stream().anyMatch(r -> of(r) != null && !LoraFinding.isLowRank(r));
    if (missing.isEmpty() || highRankSeen) {
      return null;
    }
    String detail =
        String.format(
            Locale.ROOT,
            "%s of %s changed have no numerical rank (spectra were skipped; the fast scan's"
                + " rank probe does not run on a block-quantized side, a matrix with NaN or Inf"
                + " or one too wide for its test matrix, and does not vouch for a change it"
                + " cannot tell from the storage rounding), so whether the change is a merged"
                + " low-rank adapter (LoRA) was not tested; run without --fast to measure it",
            Words.count(missing.size(), "matrix"),
            changed.size());
    return Finding.info("rank", "Rank not measured: LoRA test not run", detail);
  }
}
