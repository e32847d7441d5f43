package io.deltascope.checkpoint;

import java.util.Locale;

/**
 * Element types of stored tensors, by their safetensors names, and the ggml types GGUF files store
 * (block-quantized: {@code elementsPerBlock} values in {@code bytesPerBlock} bytes).
 */
public enum DType {
  F64(8, true),
  F32(4, true),
  F16(2, true),
  BF16(2, true),
  // 8-bit floats are stored by some checkpoints; listed structurally, not decoded.
  F8_E4M3(1, false),
  F8_E5M2(1, false),
  I64(8, false),
  I32(4, false),
  I16(2, false),
  I8(1, false),
  U64(8, false),
  U32(4, false),
  U16(2, false),
  U8(1, false),
  BOOL(1, false),
  // ggml block quantizations, decoded by io.deltascope.tensor.quant.GgmlDecoders
  Q4_0(32, 18, true),
  Q4_1(32, 20, true),
  Q5_0(32, 22, true),
  Q5_1(32, 24, true),
  Q8_0(32, 34, true),
  Q2_K(256, 84, true),
  Q3_K(256, 110, true),
  Q4_K(256, 144, true),
  Q5_K(256, 176, true),
  Q6_K(256, 210, true),
  // ggml types deltascope lists structurally but does not decode
  Q8_1(32, 36, false),
  Q8_K(256, 292, false),
  IQ2_XXS(256, 66, false),
  IQ2_XS(256, 74, false),
  IQ3_XXS(256, 98, false),
  IQ1_S(256, 50, false),
  IQ4_NL(32, 18, false),
  IQ3_S(256, 110, false),
  IQ2_S(256, 82, false),
  IQ4_XS(256, 136, false),
  IQ1_M(256, 56, false),
  TQ1_0(256, 54, false),
  TQ2_0(256, 66, false),
  MXFP4(32, 17, false);

  private final int elementsPerBlock;
  private final int bytesPerBlock;
  private final boolean decodable;

  DType(int byteSize, boolean decodable) {
    this(1, byteSize, decodable);
  }

  /** A block-quantized type stores {@code elementsPerBlock} values in {@code bytesPerBlock}. */
  DType(int elementsPerBlock, int bytesPerBlock, boolean decodable) {
    this.elementsPerBlock = elementsPerBlock;
    this.bytesPerBlock = bytesPerBlock;
    this.decodable = decodable;
  }

  /** Values per storage block: 1 for plain element types. */
  public int elementsPerBlock() {
    return elementsPerBlock;
  }

  public int bytesPerBlock() {
    return bytesPerBlock;
  }

  /** Bytes that {@code elements} values occupy; throws when they do not fill whole blocks. */
  public long byteLength(long elements) {
    if (elements % elementsPerBlock != 0) {
      throw new ArithmeticException(
          elements + " elements do not fill whole " + this + " blocks of " + elementsPerBlock);
    }
    return Math.multiplyExact(elements / elementsPerBlock, (long) bytesPerBlock);
  }

  /** Whether deltascope decodes this type to floating point and computes metrics on it. */
  public boolean isDecodable() {
    return decodable;
  }

  /**
   * The spacing of stored values just above 1 (machine epsilon): 2^-7 for bfloat16, 2^-10 for
   * float16, 2^-23 for float32, 2^-52 for float64; for a block quantization a rough equivalent from
   * its bits per value; NaN for integer types.
   */
  public double machineEpsilon() {
    return switch (this) {
      case F64 -> Math.ulp(1.0);
      case F32 -> Math.ulp(1.0f);
      case F16 -> 0x1p-10;
      case BF16 -> 0x1p-7;
      case F8_E4M3 -> 0x1p-3;
      case F8_E5M2 -> 0x1p-2;
      default -> isBlockQuantized() ? blockEpsilon() : Double.NaN;
    };
  }

  // b bits per value resolve about 2^-(b - 1) of a block's range: Q8_0 2^-7, Q4_0 2^-3
  private double blockEpsilon() {
    double bits = 8.0 * bytesPerBlock / elementsPerBlock;
    return Math.pow(2, -(Math.floor(bits) - 1));
  }

  /** Whether values come in blocks with shared scales (the ggml quantizations). */
  public boolean isBlockQuantized() {
    return elementsPerBlock > 1;
  }

  /** The safetensors name ("BF16"), or null when it is not a type safetensors stores. */
  public static DType fromSafetensors(String name) {
    try {
      DType type = valueOf(name.toUpperCase(Locale.ROOT));
      return type.isBlockQuantized() ? null : type;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
