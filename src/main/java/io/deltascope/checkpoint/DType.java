package io.deltascope.checkpoint;

import java.util.Locale;

/** Element types of stored tensors, by their safetensors names. */
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
  BOOL(1, false);

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
   * float16, 2^-23 for float32, 2^-52 for float64; NaN for types that are not floating point.
   */
  public double machineEpsilon() {
    return switch (this) {
      case F64 -> Math.ulp(1.0);
      case F32 -> Math.ulp(1.0f);
      case F16 -> 0x1p-10;
      case BF16 -> 0x1p-7;
      case F8_E4M3 -> 0x1p-3;
      case F8_E5M2 -> 0x1p-2;
      default -> Double.NaN;
    };
  }

  /** The safetensors name ("BF16"), or null when it is not a type this reader knows. */
  public static DType fromSafetensors(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
