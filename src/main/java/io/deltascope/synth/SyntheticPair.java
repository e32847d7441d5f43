package io.deltascope.synth;

import io.deltascope.checkpoint.CheckpointWriter;
import io.deltascope.checkpoint.SafetensorsWriter.Entry;
import io.deltascope.checkpoint.TensorRole;
import io.deltascope.tensor.HalfFloats;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a synthetic base / fine-tuned pair of bf16 checkpoints with a real model's layout: {@code
 * OUT/base} and {@code OUT/finetuned}. The fine-tuned side is the base plus, on every attention and
 * MLP projection, a low-rank update {@code U V} (rank {@link Options#rank}, growing with depth so
 * later layers change more), plus noise of standard deviation {@link Options#noise} on every
 * weight; norms are scaled by about 1 % instead.
 *
 * <p>Both sides are generated together, a block of rows at a time, by worker threads and written in
 * order, so memory stays at a few blocks however large the model. Every block draws from its own
 * generator seeded by (seed, tensor, block): the files are the same for the same seed whatever the
 * number of threads.
 */
public final class SyntheticPair {
  /** Values per block and side: 2 MB of bf16. */
  static final int BLOCK_ELEMENTS = 1 << 20;

  /** Standard deviation of base weights, as transformers' {@code initializer_range}. */
  static final float WEIGHT_STD = 0.02f;

  /** Standard deviation of a low-rank update's elements, in the first and last layer. */
  static final float UPDATE_STD_FIRST = 1e-3f;

  static final float UPDATE_STD_LAST = 4e-3f;

  /** Relative change of the norms' scales. */
  static final float NORM_CHANGE = 0.01f;

  /** sqrt(6): the standard deviation of {@link #symmetric} is 1 / sqrt(6). */
  static final float TRIANGULAR_TO_UNIT = (float) Math.sqrt(6);

  /**
   * @param rank rank of the update on projections
   * @param noise standard deviation of the noise added to every weight matrix
   * @param seed generator seed
   * @param maxShardBytes shard size limit
   * @param threads worker threads
   */
  public record Options(int rank, double noise, long seed, long maxShardBytes, int threads) {
    public Options {
      if (rank < 0) {
        throw new IllegalArgumentException("rank must be 0 or more, not " + rank);
      }
      if (!(noise >= 0) || Double.isInfinite(noise)) {
        throw new IllegalArgumentException("noise must be finite and 0 or more, not " + noise);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be 1 or more, not " + threads);
      }
    }
  }

  /** How a tensor's fine-tuned values derive from its base values. */
  enum Kind {
    /** Attention and MLP projections: low-rank update and noise. */
    PROJECTION,
    /** Embeddings, output head and biases: noise only. */
    DENSE,
    /** Norm scales around 1, scaled slightly. */
    NORM;

    static Kind of(String name) {
      if (name.endsWith("norm.weight")) {
        return NORM;
      }
      return name.endsWith("_proj.weight") ? PROJECTION : DENSE;
    }
  }

  private final ModelShape shape;
  private final Options options;

  private SyntheticPair(ModelShape shape, Options options) {
    this.shape = shape;
    this.options = options;
  }

  /** Writes {@code out/base} and {@code out/finetuned}; returns the bytes of one side. */
  public static long write(ModelShape shape, Path out, Options options) throws IOException {
    return new SyntheticPair(shape, options).write(out);
  }

  private long write(Path out) throws IOException {
    List<Entry> tensors = shape.tensors();
    String config = shape.configJson();
    ExecutorService pool = Executors.newFixedThreadPool(options.threads(), SyntheticPair::daemon);
    try (CheckpointWriter base =
            CheckpointWriter.create(out.resolve("base"), tensors, options.maxShardBytes(), config);
        CheckpointWriter finetuned =
            CheckpointWriter.create(
                out.resolve("finetuned"), tensors, options.maxShardBytes(), config)) {
      ArrayDeque<Future<Block>> inFlight = new ArrayDeque<>();
      int ahead = 2 * options.threads() + 2;
      for (int t = 0; t < tensors.size(); t++) {
        TensorPlan plan = plan(t, tensors.get(t));
        for (int k = 0; k < plan.blocks(); k++) {
          int block = k;
          inFlight.add(pool.submit(() -> plan.generate(block, options)));
          if (inFlight.size() >= ahead) {
            take(inFlight).writeTo(base, finetuned);
          }
        }
      }
      while (!inFlight.isEmpty()) {
        take(inFlight).writeTo(base, finetuned);
      }
    } finally {
      pool.shutdownNow();
    }
    return shape.totalBytes();
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "deltascope-synth");
    t.setDaemon(true);
    return t;
  }

  private static Block take(ArrayDeque<Future<Block>> inFlight) throws IOException {
    try {
      return inFlight.poll().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while generating");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(cause);
    }
  }

  private TensorPlan plan(int index, Entry tensor) {
    long[] dims = tensor.shape().dims();
    int cols = (int) dims[dims.length - 1];
    int rows = (int) (tensor.shape().elementCount() / Math.max(cols, 1));
    Kind kind = Kind.of(tensor.name());
    float[] u = null; // [rows, rank]
    float[] v = null; // [rank, cols]
    if (kind == Kind.PROJECTION && options.rank() > 0) {
      SplittableRandom rng = random(options.seed(), index, -1);
      // each factor's std s with rank * s^4 = updateStd^2, so that (U V)'s elements have updateStd
      float s = (float) Math.sqrt(updateStd(tensor.name()) / Math.sqrt(options.rank()));
      u = symmetricArray(rng, rows * options.rank(), s);
      v = symmetricArray(rng, options.rank() * cols, s);
    }
    return new TensorPlan(index, kind, rows, cols, u, v);
  }

  /** Standard deviation of the update: from the first layer's to the last's, linearly. */
  private float updateStd(String name) {
    Integer layer = TensorRole.of(name, shape.modelType()).layer();
    float depth =
        layer == null || shape.numLayers() < 2 ? 0 : layer / (float) (shape.numLayers() - 1);
    return UPDATE_STD_FIRST + depth * (UPDATE_STD_LAST - UPDATE_STD_FIRST);
  }

  static SplittableRandom random(long seed, int tensor, long block) {
    return new SplittableRandom(
        seed * 0x9E3779B97F4A7C15L ^ (tensor + 1L) * 0xC2B2AE3D27D4EB4FL ^ block * 0x165667B19E37L);
  }

  private static float[] symmetricArray(SplittableRandom rng, int n, float std) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = symmetric(rng.nextLong()) * std * TRIANGULAR_TO_UNIT;
    }
    return out;
  }

  /**
   * A value in (-1, 1) from the low 32 bits of {@code bits}: the sum of two 16-bit uniforms, a
   * triangular distribution (standard deviation 1 / sqrt(6)), cheap and close enough to a bell.
   */
  static float symmetric(long bits) {
    int a = (int) (bits & 0xffff);
    int b = (int) ((bits >>> 16) & 0xffff);
    return (a + b - 65535) * (1f / 65536f);
  }

  /** {@code value} rounded to bf16, as it is stored. */
  static float bf16(float value) {
    return HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(value));
  }

  /** One tensor's generation: its kind, its rows, and its update's factors. */
  private record TensorPlan(int index, Kind kind, int rows, int cols, float[] u, float[] v) {
    int rowsPerBlock() {
      return Math.max(1, BLOCK_ELEMENTS / Math.max(cols, 1));
    }

    int blocks() {
      return (rows + rowsPerBlock() - 1) / rowsPerBlock();
    }

    Block generate(int block, Options options) {
      int first = block * rowsPerBlock();
      int count = Math.min(rowsPerBlock(), rows - first);
      int n = count * cols;
      ByteBuffer base = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer finetuned = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
      SplittableRandom rng = random(options.seed(), index, block);
      float[] update = new float[cols];
      float noise = (float) options.noise() * TRIANGULAR_TO_UNIT;
      float weight = WEIGHT_STD * TRIANGULAR_TO_UNIT;
      int at = 0;
      for (int r = first; r < first + count; r++) {
        lowRankRow(r, options.rank(), update);
        for (int j = 0; j < cols; j++, at += 2) {
          long bits = rng.nextLong();
          float a;
          float b;
          if (kind == Kind.NORM) {
            a = bf16(1f + 0.1f * symmetric(bits));
            b = a * (1f + NORM_CHANGE * TRIANGULAR_TO_UNIT * symmetric(bits >>> 32));
          } else {
            a = bf16(weight * symmetric(bits));
            b = a + update[j] + noise * symmetric(bits >>> 32);
          }
          base.putShort(at, HalfFloats.floatToBf16(a));
          finetuned.putShort(at, HalfFloats.floatToBf16(b));
        }
      }
      return new Block(base, finetuned);
    }

    /** Row {@code r} of U V, or zeros when this tensor has no update. */
    private void lowRankRow(int r, int rank, float[] out) {
      java.util.Arrays.fill(out, 0f);
      if (u == null) {
        return;
      }
      for (int k = 0; k < rank; k++) {
        float ur = u[r * rank + k];
        int vk = k * cols;
        for (int j = 0; j < cols; j++) {
          out[j] += ur * v[vk + j];
        }
      }
    }
  }

  /** One block of rows, both sides, as bf16 bytes. */
  private record Block(ByteBuffer base, ByteBuffer finetuned) {
    void writeTo(CheckpointWriter baseOut, CheckpointWriter finetunedOut) throws IOException {
      baseOut.write(base);
      finetunedOut.write(finetuned);
    }
  }
}
