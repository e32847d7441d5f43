package io.deltascope.diagnosis;

import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.SafetensorsWriter;
import io.deltascope.checkpoint.Shape;
import io.deltascope.checkpoint.gguf.TinyGguf;
import io.deltascope.tensor.quant.KQuants;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A float model of one Llama MLP matrix (rows of 256, as the k-quants need: the bundled models'
 * rows of 128 and 352 are not whole k-quant blocks) and Q4_K GGUFs of it and of a fine-tune of it,
 * quantized with llama.cpp's reference quantizer ({@link KQuants#q4K}).
 */
final class KQuantPair {
  private KQuantPair() {}

  static final String NAME = "model.layers.0.mlp.up_proj.weight";
  private static final int ROWS = 64;
  private static final int COLS = 256;
  private static final int Q4_K = 12;

  /** The float side: Gaussian weights of RMS 0.02 stored as F32. */
  static float[] weights() {
    Random random = new Random(21);
    float[] x = new float[ROWS * COLS];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.02 * random.nextGaussian());
    }
    return x;
  }

  static Path writeFloats(float[] x, Path file) throws IOException {
    ByteBuffer data = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : x) {
      data.putFloat(v);
    }
    data.flip();
    var entry = new SafetensorsWriter.Entry(NAME, DType.F32, Shape.of(ROWS, COLS));
    try (SafetensorsWriter w = SafetensorsWriter.create(file, List.of(entry), Map.of())) {
      w.write(data);
    }
    return file;
  }

  /** {@code x} with each value moved by {@code drift} of itself (normal), quantized to Q4_K. */
  static Path writeQ4K(float[] x, double drift, Path file) throws IOException {
    Random random = new Random(23);
    float[] moved = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      moved[i] = (float) (x[i] * (1 + drift * random.nextGaussian()));
    }
    ByteBuffer blocks = ByteBuffer.allocate(x.length / 256 * 144).order(ByteOrder.LITTLE_ENDIAN);
    for (int b = 0; b < x.length / 256; b++) {
      KQuants.q4K(moved, b * 256, blocks, b * 144);
    }
    byte[] bytes =
        new TinyGguf()
            .tensor("blk.0.ffn_up.weight", new long[] {COLS, ROWS}, Q4_K, 0)
            .data(blocks.array())
            .bytes();
    return Files.write(file, bytes);
  }
}
