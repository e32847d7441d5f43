package io.deltascope.diff;

import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorRole;
import java.io.Serializable;

/**
 * One comparison an executor runs: the same tensor on both sides and how many leading elements to
 * compare (all of them, or the common rows of a vocabulary resize).
 *
 * @param name the tensor's name
 * @param role its layer and component
 * @param base where its base bytes are
 * @param finetuned where its fine-tuned bytes are
 * @param elements how many leading elements of each to compare
 * @param status {@link TensorStatus#COMPARED} or {@link TensorStatus#SHAPE_CHANGED}
 */
public record TensorPair(
    String name,
    TensorRole role,
    TensorInfo base,
    TensorInfo finetuned,
    long elements,
    TensorStatus status)
    implements Serializable {

  /** Bytes read on both sides: what the planner balances partitions by. */
  public long bytesToRead() {
    return bytesOf(base, elements) + bytesOf(finetuned, elements);
  }

  /** Bytes of the leading {@code elements} of {@code t}, whole blocks of a quantized type. */
  public static long bytesOf(TensorInfo t, long elements) {
    int block = t.dtype().elementsPerBlock();
    return t.dtype().byteLength((elements + block - 1) / block * block);
  }
}
