package io.deltascope.tensor;

import java.util.Locale;

/** Whether a tensor's delta has a spectrum, and if not why; stored in lower case. */
public enum SpectrumStatus {
  /** Every singular value and the metrics derived from them. */
  COMPUTED,
  /** The delta is exactly zero: no spectrum, no effective rank. */
  ZERO_DELTA,
  /** NaN or infinite values in the delta: no spectrum. */
  NON_FINITE,
  /** A 0-D or 1-D tensor (norms, biases): not a matrix. */
  NOT_MATRIX,
  /** Spectra were not asked for (--no-spectra). */
  SKIPPED,
  /** Too large for one task and beyond the distributed path's limits. */
  TOO_LARGE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
