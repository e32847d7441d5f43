package io.deltascope.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One tensor's bytes as if its rows were stored in logical order: a {@link ByteSource} view that
 * {@link TensorReader} reads through when the tensor has a {@link RowOrder}. Each read fetches the
 * stored row groups it touches in one range and copies the rows into place.
 */
final class ReorderedRows implements ByteSource {
  private final ByteSource stored;
  private final TensorInfo tensor;
  private final long rows;
  private final long rowBytes;
  private final long groupRows;

  ReorderedRows(ByteSource stored, TensorInfo tensor) {
    this.stored = stored;
    this.tensor = tensor;
    this.rows = tensor.shape().rank() == 0 ? 1 : tensor.shape().dim(0);
    this.rowBytes = tensor.dtype().byteLength(tensor.shape().rowElements());
    this.groupRows = tensor.rowOrder().groupRows(rows);
  }

  @Override
  public long size() throws IOException {
    return stored.size();
  }

  /** {@code length} bytes at absolute {@code offset}, within the tensor, in logical row order. */
  @Override
  public ByteBuffer read(long offset, int length) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    if (length == 0) {
      return out;
    }
    long start = offset - tensor.offset();
    long end = start + length;
    long firstRow = start / rowBytes;
    long lastRow = (end - 1) / rowBytes;
    long spanFirst = firstRow / groupRows * groupRows;
    long spanEnd = Math.min(rows, (lastRow / groupRows + 1) * groupRows);
    ByteBuffer span =
        stored.read(
            tensor.offset() + spanFirst * rowBytes,
            Math.toIntExact((spanEnd - spanFirst) * rowBytes));
    try {
      for (long row = firstRow; row <= lastRow; row++) {
        long from = Math.max(start, row * rowBytes);
        long to = Math.min(end, (row + 1) * rowBytes);
        long storedRow = tensor.rowOrder().storedRow(row, rows);
        int src = (int) ((storedRow - spanFirst) * rowBytes + (from - row * rowBytes));
        out.put((int) (from - start), span, src, (int) (to - from));
      }
    } finally {
      stored.release(span);
    }
    return out;
  }

  @Override
  public String location() {
    return stored.location();
  }

  /** The view does not own the stored source. */
  @Override
  public void close() {}
}
