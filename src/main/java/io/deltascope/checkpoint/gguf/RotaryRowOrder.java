package io.deltascope.checkpoint.gguf;

import io.deltascope.checkpoint.RowOrder;

/**
 * llama.cpp's row order for Llama's attn_q and attn_k. HuggingFace stores each head's rotary
 * dimensions as two halves (rotate-half); llama.cpp's converter interleaves them as pairs: {@code
 * w.reshape(heads, 2, rows / heads / 2, cols).swapaxes(1, 2)}. So within head {@code h} (of {@code
 * d = rows / heads} rows), HF row {@code h*d + i*d/2 + j} is stored at {@code h*d + 2j + i}, for
 * {@code i} in {0, 1} and {@code j < d/2}.
 *
 * @param heads attention heads for attn_q; key-value heads for attn_k
 */
public record RotaryRowOrder(int heads) implements RowOrder {

  public RotaryRowOrder {
    if (heads <= 0) {
      throw new IllegalArgumentException("heads must be positive, not " + heads);
    }
  }

  /** Whether a tensor of {@code rows} rows splits into heads of an even number of rows. */
  public boolean fits(long rows) {
    return rows % (2L * heads) == 0;
  }

  @Override
  public long storedRow(long row, long rows) {
    long headRows = rows / heads;
    long half = headRows / 2;
    long head = row / headRows;
    long within = row % headRows;
    return head * headRows + (within % half) * 2 + within / half;
  }

  @Override
  public long groupRows(long rows) {
    return rows / heads;
  }
}
