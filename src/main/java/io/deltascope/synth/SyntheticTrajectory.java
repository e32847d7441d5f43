package io.deltascope.synth;

import io.deltascope.checkpoint.CheckpointWriter;
import io.deltascope.checkpoint.SafetensorsWriter.Entry;
import io.deltascope.checkpoint.TensorRole;
import io.deltascope.tensor.HalfFloats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a synthetic training trajectory of bf16 checkpoints with a real model's layout: {@code
 * OUT/step-0} (random weights, as {@link SyntheticPair}'s base) and {@code OUT/step-1 ...
 * OUT/step-N}, each the one before plus noise of that step's standard deviation on every weight
 * matrix (norms stay). One layer may be held still until the last step, which moves it by its own
 * amount: a layer that moves late.
 *
 * <p>All checkpoints are generated together, a block of rows at a time, so memory stays at one
 * block however large the model; every block draws from its own generator seeded by (seed, tensor,
 * block, step).
 */
public final class SyntheticTrajectory {

  /**
   * @param stepStd each step's noise standard deviation: step k (k -> k+1) is {@code stepStd[k]}
   * @param lateLayer a layer that moves only in the last step, or -1 for none
   * @param lateStd that layer's noise in the last step
   * @param seed generator seed
   * @param maxShardBytes shard size limit
   */
  public record Options(
      double[] stepStd, int lateLayer, double lateStd, long seed, long maxShardBytes) {
    public Options {
      if (stepStd.length < 1) {
        throw new IllegalArgumentException("a trajectory needs at least one step");
      }
    }

    /** {@code steps} equal steps of {@code std}, no late layer. */
    public static Options uniform(int steps, double std, long seed, long maxShardBytes) {
      double[] s = new double[steps];
      java.util.Arrays.fill(s, std);
      return new Options(s, -1, 0, seed, maxShardBytes);
    }
  }

  private SyntheticTrajectory() {}

  /** The folder of checkpoint {@code k}: {@code out/step-k}. */
  public static Path step(Path out, int k) {
    return out.resolve("step-" + k);
  }

  /** Writes {@code out/step-0 ... out/step-N}; returns the bytes of one checkpoint. */
  public static long write(ModelShape shape, Path out, Options options) throws IOException {
    List<Entry> tensors = shape.tensors();
    int steps = options.stepStd().length;
    List<CheckpointWriter> writers = new ArrayList<>();
    try {
      for (int k = 0; k <= steps; k++) {
        writers.add(
            CheckpointWriter.create(
                step(out, k), tensors, options.maxShardBytes(), shape.configJson()));
      }
      for (int t = 0; t < tensors.size(); t++) {
        writeTensor(t, tensors.get(t), shape, options, writers);
      }
    } finally {
      for (CheckpointWriter w : writers) {
        w.close();
      }
    }
    return shape.totalBytes();
  }

  private static void writeTensor(
      int index, Entry tensor, ModelShape shape, Options options, List<CheckpointWriter> writers)
      throws IOException {
    boolean norm = SyntheticPair.Kind.of(tensor.name()) == SyntheticPair.Kind.NORM;
    Integer layer = TensorRole.of(tensor.name(), shape.modelType()).layer();
    boolean late = layer != null && layer == options.lateLayer();
    long elements = tensor.shape().elementCount();
    float[] values = new float[(int) Math.min(elements, SyntheticPair.BLOCK_ELEMENTS)];
    ByteBuffer bytes = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long first = 0, block = 0; first < elements; first += values.length, block++) {
      int n = (int) Math.min(values.length, elements - first);
      SplittableRandom rng = SyntheticPair.random(options.seed(), index, block);
      float weight = SyntheticPair.WEIGHT_STD * SyntheticPair.TRIANGULAR_TO_UNIT;
      for (int i = 0; i < n; i++) {
        float v =
            norm
                ? 1f + 0.1f * SyntheticPair.symmetric(rng.nextLong())
                : weight * SyntheticPair.symmetric(rng.nextLong());
        values[i] = SyntheticPair.bf16(v);
      }
      write(values, n, bytes, writers.get(0));
      for (int k = 0; k < options.stepStd().length; k++) {
        float std = norm ? 0f : (float) stepStd(options, k, late);
        if (std > 0) {
          float scale = std * SyntheticPair.TRIANGULAR_TO_UNIT;
          SplittableRandom step = SyntheticPair.random(options.seed() + k + 1, index, block);
          for (int i = 0; i < n; i++) {
            values[i] =
                SyntheticPair.bf16(values[i] + scale * SyntheticPair.symmetric(step.nextLong()));
          }
        }
        write(values, n, bytes, writers.get(k + 1));
      }
    }
  }

  private static double stepStd(Options options, int k, boolean late) {
    if (!late) {
      return options.stepStd()[k];
    }
    return k == options.stepStd().length - 1 ? options.lateStd() : 0;
  }

  private static void write(float[] values, int n, ByteBuffer bytes, CheckpointWriter out)
      throws IOException {
    bytes.clear();
    for (int i = 0; i < n; i++) {
      bytes.putShort(2 * i, HalfFloats.floatToBf16(values[i]));
    }
    bytes.limit(2 * n);
    out.write(bytes);
  }
}
