package io.deltascope.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tensor with a {@link LowRankUpdate} as float64 bytes: each read decodes the base values of its
 * range and adds scale * (B A)[i, j] to each, so an adapter's tensors are never merged in memory or
 * on disk. {@link TensorReader} and {@link TensorBlockReader} read through it.
 */
final class LowRankSource implements ByteSource {
  private final ByteSource stored;
  private final TensorInfo tensor;
  private final LowRankUpdate update;
  private final double[] a; // [r, in]
  private final double[] b; // [out, r]
  private final int rank;
  private final long cols;

  LowRankSource(ByteSource stored, TensorInfo tensor) {
    this.stored = stored;
    this.tensor = tensor;
    this.update = tensor.update();
    LowRankUpdate.Factors factors = update.factors();
    this.a = factors.a();
    this.b = factors.b();
    this.rank = update.rank();
    this.cols = tensor.shape().rowElements();
  }

  @Override
  public long size() throws IOException {
    return tensor.byteLength();
  }

  /** {@code length} bytes (whole float64 values) at {@code offset}, within the tensor. */
  @Override
  public ByteBuffer read(long offset, int length) throws IOException {
    long first = (offset - tensor.offset()) / 8;
    int count = length / 8;
    if (first < 0 || (offset - tensor.offset()) % 8 != 0 || length % 8 != 0) {
      throw new IOException(
          String.format(
              "%s: tensor '%s': read [%d, +%d) is not whole float64 values",
              location(), tensor.name(), offset, length));
    }
    double[] values = new double[count];
    TensorReader base = new TensorReader(stored, update.base(), update.base().elementCount());
    base.seek(first);
    base.read(values);
    for (int k = 0; k < count; k++) {
      long e = first + k;
      long row = e / cols;
      long col = e % cols;
      values[k] += update.scale() * (update.transposed() ? product(col, row) : product(row, col));
    }
    ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    out.asDoubleBuffer().put(values);
    return out;
  }

  // (B A)[i, j] = sum_k B[i, k] A[k, j]
  private double product(long i, long j) {
    long in = a.length / rank;
    double sum = 0;
    for (int k = 0; k < rank; k++) {
      sum += b[(int) (i * rank + k)] * a[(int) (k * in + j)];
    }
    return sum;
  }

  @Override
  public String location() {
    return stored.location();
  }

  @Override
  public void close() throws IOException {
    stored.close();
  }
}
