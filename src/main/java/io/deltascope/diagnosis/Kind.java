package io.deltascope.diagnosis;

import java.util.Locale;

/**
 * What a pair of checkpoints is, decided from the whole pair before any finding is written, so that
 * no finding contradicts it.
 */
public enum Kind {
  /** Every tensor bit-equal, same names, shapes and stored types. */
  IDENTICAL,
  /** One side quantized (GGUF), or the two differ only by storage precision: rounding. */
  QUANTIZATION,
  /** Every changed matrix of low numerical rank, everything else untouched: a merged adapter. */
  LORA_MERGE,
  /** Different families or sizes: model_type, hidden size, layer count or tensor shapes. */
  UNRELATED,
  /** Everything else: a fine-tune, described by its profile. */
  FINE_TUNE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
