package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.MappedFaults;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorReader;
import io.deltascope.tensor.HalfFloats;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads stored tensors widened to float32 into memory deltascope owns: bf16 and f16 are decoded in
 * Java (a BFLOAT16 NDArray would abort the JVM, and f16 matmul on the CPU is slow), and nothing
 * handed to DJL ever points into a read-only mapping.
 */
final class WeightReader implements Closeable {
  /** Elements decoded per chunk of a mapped window. */
  private static final int CHUNK = 1 << 16;

  private static final int WINDOW_BYTES = 64 << 20;

  /** Tensors above this many elements are decoded by several threads. */
  private static final long PARALLEL_ELEMENTS = 1 << 22;

  private final Map<String, ByteSource> sources = new ConcurrentHashMap<>();
  private final BufferPool pool = BufferPool.SHARED;

  /** Where scopes get and give back the direct buffers that weights live in. */
  BufferPool pool() {
    return pool;
  }

  /** The tensor as a float32 NDArray in {@code scope}, shaped as stored. */
  NDArray load(TensorInfo tensor, WeightScope scope) {
    long elements = tensor.elementCount();
    if (elements * 4 > Integer.MAX_VALUE) {
      throw CheckpointException.of(
          tensor.file(),
          "tensor '%s' %s is over 2 GB as float32; the forward pass cannot hold it in one piece",
          tensor.name(),
          tensor.shape());
    }
    ByteBuffer owned = scope.allocate((int) elements * 4);
    decode(tensor, 0, elements, owned.asFloatBuffer());
    return scope.adopt(owned, new ai.djl.ndarray.types.Shape(tensor.shape().dims()));
  }

  /** Rows {@code ids} of a 2-D tensor, decoded to float: [ids.length, cols] row-major. */
  float[] rows(TensorInfo tensor, long[] ids) {
    long rows = tensor.shape().dim(0);
    int cols = (int) tensor.shape().rowElements();
    float[] out = new float[ids.length * cols];
    FloatBuffer dst = FloatBuffer.wrap(out);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= rows) {
        throw CheckpointException.of(
            tensor.file(),
            "token id %d is outside tensor '%s' of %d rows",
            ids[i],
            tensor.name(),
            rows);
      }
      dst.position(i * cols);
      decode(tensor, ids[i] * cols, cols, dst.slice());
    }
    return out;
  }

  // Decodes elements [first, first + count) of the tensor into dst: large tensors in parallel
  // parts, each part a window at a time.
  private void decode(TensorInfo tensor, long first, long count, FloatBuffer dst) {
    int parts = count < PARALLEL_ELEMENTS ? 1 : Math.max(1, Djl.threads());
    if (parts == 1) {
      decodeRange(tensor, first, count, dst, 0);
      return;
    }
    // parts start on storage blocks (every block size divides 256)
    long step = ((count + parts - 1) / parts + 255) / 256 * 256;
    java.util.stream.IntStream.range(0, parts)
        .parallel()
        .forEach(
            part -> {
              long from = part * step;
              long n = Math.min(step, count - from);
              if (n > 0) {
                decodeRange(tensor, first + from, n, dst.duplicate(), (int) from);
              }
            });
  }

  private void decodeRange(
      TensorInfo tensor, long first, long count, FloatBuffer dst, int dstOffset) {
    MappedFaults.guard(
        () -> {
          decodeMapped(tensor, first, count, dst, dstOffset);
          return null;
        },
        fault -> CheckpointException.mappedReadFailed(fault, java.util.List.of(tensor)));
  }

  private void decodeMapped(
      TensorInfo tensor, long first, long count, FloatBuffer dst, int dstOffset) {
    ByteSource source = sources.computeIfAbsent(tensor.file(), Locations::open);
    if (tensor.rowOrder() != null
        || tensor.update() != null
        || tensor.dtype().elementsPerBlock() > 1) {
      decodeThroughReader(tensor, source, first, count, dst, dstOffset);
      return;
    }
    int width = bytesPerElement(tensor);
    long done = 0;
    while (done < count) {
      int n = (int) Math.min(count - done, WINDOW_BYTES / width);
      ByteBuffer window;
      try {
        window = source.read(tensor.offset() + (first + done) * width, n * width);
      } catch (IOException e) {
        throw new UncheckedIOException(
            tensor.file() + ": tensor '" + tensor.name() + "': " + e.getMessage(), e);
      }
      try {
        window.order(ByteOrder.LITTLE_ENDIAN);
        widen(tensor, window, n, dst, dstOffset + (int) done);
      } finally {
        source.release(window);
      }
      done += n;
    }
  }

  /**
   * GGUF weights and unmerged adapters: block-quantized values, llama.cpp's permuted q/k rows and
   * base + scale * B A go through the checkpoint's {@link TensorReader}, which dequantizes them,
   * restores the HF row order or adds the low-rank update.
   */
  private static void decodeThroughReader(
      TensorInfo tensor, ByteSource source, long first, long count, FloatBuffer dst, int at) {
    TensorReader reader = new TensorReader(source, tensor, first + count);
    reader.seek(first);
    double[] values = new double[CHUNK];
    int done = 0;
    int n;
    while ((n = reader.read(values)) > 0) {
      for (int i = 0; i < n; i++) {
        dst.put(at + done + i, (float) values[i]);
      }
      done += n;
    }
  }

  private static void widen(TensorInfo tensor, ByteBuffer src, int n, FloatBuffer dst, int at) {
    switch (tensor.dtype()) {
      case F32 -> {
        FloatBuffer in = src.asFloatBuffer();
        dst.put(at, in, 0, n);
      }
      case F64 -> {
        for (int i = 0; i < n; i++) {
          dst.put(at + i, (float) src.getDouble(8 * i));
        }
      }
      case BF16, F16 -> {
        ShortBuffer in = src.asShortBuffer();
        short[] chunk = new short[Math.min(n, CHUNK)];
        float[] out = new float[chunk.length];
        boolean bf16 = tensor.dtype() == io.deltascope.checkpoint.DType.BF16;
        for (int start = 0; start < n; start += chunk.length) {
          int m = Math.min(chunk.length, n - start);
          in.get(start, chunk, 0, m);
          for (int i = 0; i < m; i++) {
            out[i] = bf16 ? HalfFloats.bf16ToFloat(chunk[i]) : HalfFloats.f16ToFloat(chunk[i]);
          }
          dst.put(at + start, out, 0, m);
        }
      }
      default ->
          throw CheckpointException.of(
              tensor.file(),
              "tensor '%s' is %s; the forward pass reads F32, F64, F16 and BF16 weights",
              tensor.name(),
              tensor.dtype());
    }
  }

  private static int bytesPerElement(TensorInfo tensor) {
    return switch (tensor.dtype()) {
      case F64 -> 8;
      case F32 -> 4;
      case F16, BF16 -> 2;
      default ->
          throw CheckpointException.of(
              tensor.file(),
              "tensor '%s' is %s; the forward pass reads F32, F64, F16 and BF16 weights",
              tensor.name(),
              tensor.dtype());
    };
  }

  @Override
  public void close() {
    for (ByteSource s : sources.values()) {
      try {
        s.close();
      } catch (IOException e) {
        throw new UncheckedIOException(s.location() + ": cannot close", e);
      }
    }
    sources.clear();
  }
}
