package io.deltascope.diff;

import io.deltascope.checkpoint.DType;

/**
 * Whether one side of a pair is the other quantized: counts the values of the float side that lie
 * outside the quantized side's rounding bound for their block. Quantizing a model leaves none
 * outside; quantizing a fine-tune of it leaves many, however small the fine-tune's drift.
 */
final class RoundingCheck {
  private final boolean quantizedIsBase;
  private final double floatRounding; // the float side's own rounding, relative
  private long outside;

  private RoundingCheck(boolean quantizedIsBase, double floatRounding) {
    this.quantizedIsBase = quantizedIsBase;
    this.floatRounding = floatRounding;
  }

  /**
   * A check of {@code pair} when exactly one side is a block type with bounds and the other a float
   * (which may itself be a rounding of what the quantizer read); null otherwise.
   */
  static RoundingCheck of(TensorPair pair, boolean baseHasBounds, boolean finetunedHasBounds) {
    Double baseFloat = floatRounding(pair.base().dtype());
    Double finetunedFloat = floatRounding(pair.finetuned().dtype());
    if (finetunedHasBounds && baseFloat != null) {
      return new RoundingCheck(false, baseFloat);
    }
    if (baseHasBounds && finetunedFloat != null) {
      return new RoundingCheck(true, finetunedFloat);
    }
    return null;
  }

  /**
   * The most storing a value in a float type moves it, relative to the value (half a step of its
   * mantissa: 2^-(m + 1) for m stored mantissa bits); null for other types.
   */
  static Double floatRounding(DType dtype) {
    return switch (dtype) {
      case F64 -> 0x1p-53;
      case F32 -> 0x1p-24;
      case F16 -> 0x1p-11;
      case BF16 -> 0x1p-8;
      default -> null;
    };
  }

  /** Counts over {@code n} values: {@code bounds} are the quantized side's, non-finite skipped. */
  void add(double[] base, double[] finetuned, double[] bounds, int n) {
    double[] plain = quantizedIsBase ? finetuned : base;
    double[] quantized = quantizedIsBase ? base : finetuned;
    for (int i = 0; i < n; i++) {
      double moved = Math.abs(plain[i] - quantized[i]);
      if (moved > bounds[i] + floatRounding * Math.abs(plain[i]) && Double.isFinite(moved)) {
        outside++;
      }
    }
  }

  boolean quantizedIsBase() {
    return quantizedIsBase;
  }

  /** Values outside the bound so far. */
  long outside() {
    return outside;
  }
}
