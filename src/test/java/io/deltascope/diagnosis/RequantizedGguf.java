package io.deltascope.diagnosis;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.tensor.HalfFloats;
import io.deltascope.tensor.quant.GgmlDecoders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A GGUF of a fine-tune: a bundled Q4_0 or Q8_0 GGUF of llama-sft whose every block is decoded,
 * moved by a small random delta (a fine-tune of llama-sft) and quantized again with llama.cpp's
 * reference rounding ({@code quantize_row_q4_0_ref}, {@code quantize_row_q8_0_ref}), in place.
 */
final class RequantizedGguf {
  private RequantizedGguf() {}

  private static final int QK = 32;

  /**
   * Writes to {@code out} the fixture {@code name} ("llama-sft.q4_0.gguf") with each quantized
   * value moved by a normal delta of {@code scale} times its block's RMS before it is quantized
   * again; scale 0 quantizes the decoded values again unchanged.
   */
  static Path write(String name, double scale, Path out) throws IOException {
    Path gguf = Fixtures.root().resolve("gguf").resolve(name);
    JsonNode oracle = Fixtures.json(gguf.resolveSibling(name + ".json"));
    byte[] bytes = Files.readAllBytes(gguf);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    Random random = new Random(15);
    for (JsonNode t : oracle.get("tensors")) {
      String type = t.get("ggml_type").asText();
      if (!type.equals("Q4_0") && !type.equals("Q8_0")) {
        continue;
      }
      int blockBytes = type.equals("Q4_0") ? 18 : 34;
      int offset = t.get("data_offset").asInt();
      for (int at = offset; at < offset + t.get("n_bytes").asInt(); at += blockBytes) {
        double[] x = new double[QK];
        (type.equals("Q4_0") ? GgmlDecoders.Q4_0 : GgmlDecoders.Q8_0).decode(buf, at, x, 0, QK);
        float[] moved = moved(x, scale, random);
        if (type.equals("Q4_0")) {
          q4_0(moved, buf, at);
        } else {
          q8_0(moved, buf, at);
        }
      }
    }
    return Files.write(out, bytes);
  }

  private static float[] moved(double[] x, double scale, Random random) {
    double rms = 0;
    for (double v : x) {
      rms += v * v / QK;
    }
    rms = Math.sqrt(rms);
    float[] y = new float[QK];
    for (int i = 0; i < QK; i++) {
      y[i] = (float) (x[i] + scale * rms * random.nextGaussian());
    }
    return y;
  }

  // d = max / -8 (max: the value of largest magnitude); q = min(15, (int) (x / d + 8.5))
  private static void q4_0(float[] x, ByteBuffer buf, int at) {
    float max = 0;
    for (float v : x) {
      if (Math.abs(v) > Math.abs(max)) {
        max = v;
      }
    }
    float d = max / -8;
    float id = d != 0 ? 1.0f / d : 0;
    buf.putShort(at, HalfFloats.floatToF16(d));
    for (int j = 0; j < QK / 2; j++) {
      int lo = Math.min(15, (int) (x[j] * id + 8.5f));
      int hi = Math.min(15, (int) (x[j + QK / 2] * id + 8.5f));
      buf.put(at + 2 + j, (byte) (lo | (hi << 4)));
    }
  }

  // d = max |x| / 127; q = roundf(x / d), half away from zero
  private static void q8_0(float[] x, ByteBuffer buf, int at) {
    float amax = 0;
    for (float v : x) {
      amax = Math.max(amax, Math.abs(v));
    }
    float d = amax / 127;
    float id = d != 0 ? 1.0f / d : 0;
    buf.putShort(at, HalfFloats.floatToF16(d));
    for (int j = 0; j < QK; j++) {
      float v = x[j] * id;
      buf.put(at + 2 + j, (byte) (Math.signum(v) * Math.floor(Math.abs(v) + 0.5f)));
    }
  }
}
