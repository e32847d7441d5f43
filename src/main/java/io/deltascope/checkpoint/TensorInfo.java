package io.deltascope.checkpoint;

import java.io.Serializable;

/**
 * Where one stored tensor's bytes are: enough for an executor to read it without the driver.
 *
 * @param name the tensor's name in the checkpoint ("model.layers.0.self_attn.q_proj.weight")
 * @param dtype its stored element type
 * @param shape its dimensions, outermost first (the HuggingFace order, also for GGUF tensors)
 * @param file the file that holds it: a local path or a Hadoop URI
 * @param offset absolute byte offset of its first element in {@code file}
 * @param byteLength number of bytes it occupies
 * @param rowOrder how its rows are stored when not in {@code shape}'s order (llama.cpp's rotary
 *     permutation of attn_q / attn_k), or null when they are; readers yield rows in logical order
 * @param update a low-rank update (an unmerged LoRA) that readers add to the stored values, which
 *     are then those of {@code update.base()}; null for a stored tensor
 */
public record TensorInfo(
    String name,
    DType dtype,
    Shape shape,
    String file,
    long offset,
    long byteLength,
    RowOrder rowOrder,
    LowRankUpdate update)
    implements Serializable {

  /** A tensor stored in its logical row order. */
  public TensorInfo(String name, DType dtype, Shape shape, String file, long offset, long length) {
    this(name, dtype, shape, file, offset, length, null, null);
  }

  /** A stored tensor. */
  public TensorInfo(
      String name,
      DType dtype,
      Shape shape,
      String file,
      long offset,
      long length,
      RowOrder rowOrder) {
    this(name, dtype, shape, file, offset, length, rowOrder, null);
  }

  /**
   * The type its values are stored in: for an unmerged LoRA update, the base tensor's (its float64
   * {@link #dtype} is how it is decoded, a merge done in memory, not a stored type).
   */
  public DType storedType() {
    return update == null ? dtype : update.base().storedType();
  }

  public long elementCount() {
    return shape.elementCount();
  }

  /** The same tensor renamed, as when a tied side lends its embedding as the output head. */
  public TensorInfo withName(String newName) {
    return new TensorInfo(newName, dtype, shape, file, offset, byteLength, rowOrder, update);
  }
}
