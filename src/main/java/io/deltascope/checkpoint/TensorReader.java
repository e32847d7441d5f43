package io.deltascope.checkpoint;

import io.deltascope.tensor.ElementDecoder;
import io.deltascope.tensor.quant.GgmlDecoders;
import io.deltascope.tensor.quant.RoundingBounds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads one tensor's values in storage order, decoded to double, a window of bytes at a time. A
 * window is mapped (or fetched), decoded into the caller's array in pieces, and released before the
 * next, so memory stays at one window however large the tensor is. A tensor with a {@link RowOrder}
 * is read through {@link ReorderedRows}, so its values come in logical row order.
 */
public final class TensorReader {
  /** Bytes per window: large enough for sequential reads, small enough to stay out of the way. */
  static final int WINDOW_BYTES = 16 << 20;

  private final ByteSource source;
  private final TensorInfo tensor;
  private final ElementDecoder decoder;
  private final ElementDecoder bounds; // null: the type has no per-value rounding bound
  private final long elementLimit;
  private final int blockElements;
  private final int blockBytes;

  private long elementsRead;
  private ByteBuffer window;
  private long windowFirstElement;
  private long windowElements;

  /** Reads the first {@code elementLimit} values (all of them: {@code tensor.elementCount()}). */
  public TensorReader(ByteSource source, TensorInfo tensor, long elementLimit) {
    if (elementLimit < 0 || elementLimit > tensor.elementCount()) {
      throw new IllegalArgumentException(
          "element limit " + elementLimit + " outside [0, " + tensor.elementCount() + "]");
    }
    this.source = view(source, tensor);
    this.tensor = tensor;
    this.decoder = decoderFor(tensor);
    this.bounds = tensor.update() == null ? roundingBoundsFor(tensor) : null;
    this.elementLimit = elementLimit;
    this.blockElements = tensor.dtype().elementsPerBlock();
    this.blockBytes = tensor.dtype().bytesPerBlock();
  }

  /**
   * Every value of a small tensor (a LoRA factor, a test's reference), its file opened and closed.
   */
  public static double[] values(TensorInfo tensor) {
    try (ByteSource source = Locations.open(tensor.file())) {
      double[] v = new double[Math.toIntExact(tensor.elementCount())];
      return MappedFaults.guard(
          () -> {
            new TensorReader(source, tensor, tensor.elementCount()).read(v);
            return v;
          },
          fault -> CheckpointException.mappedReadFailed(fault, List.of(tensor)));
    } catch (IOException e) {
      throw CheckpointException.of(tensor.file(), "cannot read: %s", Locations.describe(e));
    }
  }

  /** The tensor's values as stored bytes: rows put in order, a low-rank update added. */
  static ByteSource view(ByteSource stored, TensorInfo tensor) {
    if (tensor.update() != null) {
      return new LowRankSource(stored, tensor);
    }
    return tensor.rowOrder() == null ? stored : new ReorderedRows(stored, tensor);
  }

  public static ElementDecoder decoderFor(TensorInfo tensor) {
    return switch (tensor.dtype()) {
      case F64 -> ElementDecoder.F64;
      case F32 -> ElementDecoder.F32;
      case F16 -> ElementDecoder.F16;
      case BF16 -> ElementDecoder.BF16;
      case Q4_0 -> GgmlDecoders.Q4_0;
      case Q4_1 -> GgmlDecoders.Q4_1;
      case Q5_0 -> GgmlDecoders.Q5_0;
      case Q5_1 -> GgmlDecoders.Q5_1;
      case Q8_0 -> GgmlDecoders.Q8_0;
      case Q2_K -> GgmlDecoders.Q2_K;
      case Q3_K -> GgmlDecoders.Q3_K;
      case Q4_K -> GgmlDecoders.Q4_K;
      case Q5_K -> GgmlDecoders.Q5_K;
      case Q6_K -> GgmlDecoders.Q6_K;
      default ->
          throw CheckpointException.of(
              tensor.file(),
              "tensor '%s': unsupported type %s: deltascope cannot decode it to numbers",
              tensor.name(),
              tensor.dtype());
    };
  }

  /**
   * The decoder of the most each value can have moved when quantized into its block, or null where
   * the type gives no such bound (floats).
   */
  static ElementDecoder roundingBoundsFor(TensorInfo tensor) {
    return switch (tensor.dtype()) {
      case Q4_0 -> RoundingBounds.Q4_0;
      case Q4_1 -> RoundingBounds.Q4_1;
      case Q5_0 -> RoundingBounds.Q5_0;
      case Q5_1 -> RoundingBounds.Q5_1;
      case Q8_0 -> RoundingBounds.Q8_0;
      case Q2_K -> RoundingBounds.Q2_K;
      case Q3_K -> RoundingBounds.Q3_K;
      case Q4_K -> RoundingBounds.Q4_K;
      case Q5_K -> RoundingBounds.Q5_K;
      case Q6_K -> RoundingBounds.Q6_K;
      default -> null;
    };
  }

  /** Whether {@link #read(double[], double[])} fills rounding bounds. */
  public boolean hasRoundingBounds() {
    return bounds != null;
  }

  /**
   * Decodes the next values into {@code dst}, filling it unless the tensor ends first; returns how
   * many, 0 when done. {@code dst.length} must be a multiple of the type's elements per block.
   */
  public int read(double[] dst) {
    return read(dst, null);
  }

  /**
   * {@link #read(double[])}, and when {@code roundingBounds} is not null and the type has them,
   * each value's rounding bound from the same bytes into it (same length as {@code dst}).
   */
  public int read(double[] dst, double[] roundingBounds) {
    int filled = 0;
    while (filled < dst.length && elementsRead < elementLimit) {
      if (window == null || elementsRead >= windowFirstElement + windowElements) {
        nextWindow();
      }
      long inWindow = windowFirstElement + windowElements - elementsRead;
      long remaining = elementLimit - elementsRead;
      int n = (int) Math.min(Math.min(dst.length - filled, inWindow), remaining);
      int byteOffset = (int) ((elementsRead - windowFirstElement) / blockElements * blockBytes);
      int count = Math.min(roundUpToBlock(n), dst.length - filled);
      decoder.decode(window, byteOffset, dst, filled, count);
      if (roundingBounds != null && bounds != null) {
        bounds.decode(window, byteOffset, roundingBounds, filled, count);
      }
      elementsRead += n;
      filled += n;
    }
    if (elementsRead == elementLimit) {
      releaseWindow();
    }
    return filled;
  }

  /**
   * Moves to element {@code first}, which must start a storage block; the next {@link #read} begins
   * there. For reading a range (rows of an embedding) without decoding what precedes it.
   */
  public void seek(long first) {
    if (first < 0 || first > elementLimit || first % blockElements != 0) {
      throw new IllegalArgumentException(
          "cannot seek to element "
              + first
              + " of "
              + tensor.name()
              + " (limit "
              + elementLimit
              + ", blocks of "
              + blockElements
              + ")");
    }
    releaseWindow();
    elementsRead = first;
  }

  /** Elements decoded so far. */
  public long position() {
    return elementsRead;
  }

  private int roundUpToBlock(int n) {
    return (n + blockElements - 1) / blockElements * blockElements;
  }

  private void nextWindow() {
    releaseWindow();
    long total = tensor.elementCount();
    long blocksPerWindow = Math.max(1, WINDOW_BYTES / blockBytes);
    long firstBlock = elementsRead / blockElements;
    long blocks =
        Math.min(blocksPerWindow, (total + blockElements - 1) / blockElements - firstBlock);
    windowFirstElement = firstBlock * blockElements;
    windowElements = Math.min(blocks * blockElements, total - windowFirstElement);
    try {
      window = source.read(tensor.offset() + firstBlock * blockBytes, (int) (blocks * blockBytes));
    } catch (IOException e) {
      throw new UncheckedIOException(
          tensor.file() + ": tensor '" + tensor.name() + "': " + Locations.describe(e), e);
    }
  }

  private void releaseWindow() {
    if (window != null) {
      source.release(window);
      window = null;
    }
  }
}
