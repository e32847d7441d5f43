package io.deltascope.checkpoint.gguf;

import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.Shape;
import java.util.Arrays;

/**
 * One tensor as the GGUF file lists it.
 *
 * @param name its GGUF name ("blk.0.attn_q.weight")
 * @param type its ggml type
 * @param ggmlType the ggml type id stored in the file
 * @param dims its dimensions as GGUF lists them, innermost first
 * @param offset absolute byte offset of its data in the file
 * @param byteLength bytes its data occupies
 */
public record GgufTensor(
    String name, DType type, int ggmlType, long[] dims, long offset, long byteLength) {

  /** The shape outermost first, as HuggingFace and the rest of deltascope order it. */
  public Shape shape() {
    long[] reversed = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      reversed[i] = dims[dims.length - 1 - i];
    }
    return Shape.of(reversed);
  }

  public long elementCount() {
    return shape().elementCount();
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GgufTensor t
        && name.equals(t.name)
        && type == t.type
        && ggmlType == t.ggmlType
        && Arrays.equals(dims, t.dims)
        && offset == t.offset
        && byteLength == t.byteLength;
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(dims) + Long.hashCode(offset);
  }

  @Override
  public String toString() {
    return name + " " + type + " " + Arrays.toString(dims) + " @" + offset;
  }
}
