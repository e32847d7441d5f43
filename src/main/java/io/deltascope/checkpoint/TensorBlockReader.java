package io.deltascope.checkpoint;

import io.deltascope.tensor.ElementDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Reads a rectangular block of a tensor seen as a row-major matrix [rows, cols]: rows [r0, r1) and
 * columns [c0, c1), decoded to double. Windows of whole rows are mapped in turn and only the
 * block's columns decoded, so a block of a few columns costs what it reads, not a mapping per row.
 * Plain element types in stored row order only (no block quantization, no reordered rows).
 */
public final class TensorBlockReader {
  /** Bytes per mapped window. */
  static final int WINDOW_BYTES = 16 << 20;

  private TensorBlockReader() {}

  /**
   * Decodes the block into {@code dst} row-major [r1 - r0, c1 - c0].
   *
   * @param cols the matrix's columns (the product of the tensor's dimensions after the first)
   */
  public static void read(
      ByteSource source,
      TensorInfo tensor,
      long cols,
      long r0,
      long r1,
      long c0,
      long c1,
      double[] dst) {
    DType dtype = tensor.dtype();
    if (dtype.elementsPerBlock() != 1 || tensor.rowOrder() != null) {
      throw new IllegalArgumentException(
          tensor.name()
              + ": "
              + dtype
              + (tensor.rowOrder() != null ? " with reordered rows" : " blocks")
              + " cannot be read by column range");
    }
    if (r0 < 0 || r1 < r0 || c0 < 0 || c1 < c0 || c1 > cols || r1 * cols > tensor.elementCount()) {
      throw new IllegalArgumentException(
          String.format(
              "%s: block rows [%d, %d) x cols [%d, %d) outside [%d, %d]",
              tensor.name(), r0, r1, c0, c1, tensor.elementCount() / Math.max(cols, 1), cols));
    }
    ElementDecoder decoder = TensorReader.decoderFor(tensor);
    ByteSource values = TensorReader.view(source, tensor);
    int size = dtype.bytesPerBlock();
    long rowBytes = cols * size;
    int width = (int) (c1 - c0);
    long rowsPerWindow = Math.max(1, WINDOW_BYTES / Math.max(rowBytes, 1));
    for (long r = r0; r < r1; r += rowsPerWindow) {
      long windowRows = Math.min(rowsPerWindow, r1 - r);
      // from column c0 of row r to column c1 of the window's last row
      long start = tensor.offset() + r * rowBytes + c0 * size;
      long length = (windowRows - 1) * rowBytes + (long) width * size;
      ByteBuffer window = map(values, tensor, start, length);
      long first = r;
      // the release is inside the guard: a fault of compiled code is raised there at the latest
      MappedFaults.guard(
          () -> {
            for (int i = 0; i < windowRows; i++) {
              int at = (int) (i * rowBytes);
              decoder.decode(window, at, dst, (int) ((first - r0 + i) * width), width);
            }
            values.release(window);
            return null;
          },
          fault -> CheckpointException.mappedReadFailed(fault, java.util.List.of(tensor)));
    }
  }

  private static ByteBuffer map(ByteSource source, TensorInfo tensor, long start, long length) {
    if (length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(tensor.name() + ": a row of " + length + " bytes");
    }
    try {
      return source.read(start, (int) length);
    } catch (IOException e) {
      throw new UncheckedIOException(
          tensor.file() + ": tensor '" + tensor.name() + "': " + Locations.describe(e), e);
    }
  }
}
