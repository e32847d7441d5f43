package io.deltascope.checkpoint.gguf;

import io.deltascope.checkpoint.DType;

/**
 * ggml's tensor type ids (enum ggml_type in ggml.h) and the {@link DType} each is. Ids that ggml
 * has retired (4, 5: Q4_2, Q4_3; 31 to 33 and 36 to 38: the repacked Q4_0 / IQ4_NL layouts that
 * never appear in files) have none.
 */
public final class GgmlTypes {
  private GgmlTypes() {}

  private static final DType[] BY_ID = {
    DType.F32, // 0
    DType.F16, // 1
    DType.Q4_0, // 2
    DType.Q4_1, // 3
    null, // 4 Q4_2, removed
    null, // 5 Q4_3, removed
    DType.Q5_0, // 6
    DType.Q5_1, // 7
    DType.Q8_0, // 8
    DType.Q8_1, // 9
    DType.Q2_K, // 10
    DType.Q3_K, // 11
    DType.Q4_K, // 12
    DType.Q5_K, // 13
    DType.Q6_K, // 14
    DType.Q8_K, // 15
    DType.IQ2_XXS, // 16
    DType.IQ2_XS, // 17
    DType.IQ3_XXS, // 18
    DType.IQ1_S, // 19
    DType.IQ4_NL, // 20
    DType.IQ3_S, // 21
    DType.IQ2_S, // 22
    DType.IQ4_XS, // 23
    DType.I8, // 24
    DType.I16, // 25
    DType.I32, // 26
    DType.I64, // 27
    DType.F64, // 28
    DType.IQ1_M, // 29
    DType.BF16, // 30
    null, // 31 Q4_0_4_4, removed
    null, // 32 Q4_0_4_8, removed
    null, // 33 Q4_0_8_8, removed
    DType.TQ1_0, // 34
    DType.TQ2_0, // 35
    null, // 36 IQ4_NL_4_4, removed
    null, // 37 IQ4_NL_4_8, removed
    null, // 38 IQ4_NL_8_8, removed
    DType.MXFP4, // 39
  };

  /** The type with ggml id {@code id}, or null when ggml has no such type (any longer). */
  public static DType byId(long id) {
    return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
  }

  /** The ggml id of {@code type}, or -1 when ggml has none (safetensors' F8 and unsigned types). */
  public static int idOf(DType type) {
    for (int i = 0; i < BY_ID.length; i++) {
      if (BY_ID[i] == type) {
        return i;
      }
    }
    return -1;
  }
}
