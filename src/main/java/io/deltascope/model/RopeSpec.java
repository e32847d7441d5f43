package io.deltascope.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.checkpoint.CheckpointException;
import java.io.Serializable;

/**
 * Rotary position embedding of one kind of layer: its base and its frequency scaling ({@code
 * default}, {@code linear}, or Llama-3's {@code llama3}), as transformers computes the inverse
 * frequencies.
 *
 * @param theta the rotary base
 * @param type "default", "linear" or "llama3"
 * @param factor the scaling factor (1 for default)
 * @param lowFreqFactor Llama-3's low_freq_factor
 * @param highFreqFactor Llama-3's high_freq_factor
 * @param originalMaxPositions Llama-3's original_max_position_embeddings
 * @param partialRotary fraction of head_dim that rotates (1 for every family here)
 */
public record RopeSpec(
    double theta,
    String type,
    double factor,
    double lowFreqFactor,
    double highFreqFactor,
    double originalMaxPositions,
    double partialRotary)
    implements Serializable {

  public static RopeSpec plain(double theta) {
    return new RopeSpec(theta, "default", 1, 0, 0, 0, 1);
  }

  /**
   * A rope from a transformers parameters object: 5.x {@code rope_parameters} (theta inside) or 4.x
   * {@code rope_scaling} (theta given separately); {@code params} may be missing or null.
   */
  public static RopeSpec of(JsonNode params, double theta, String location) {
    if (params == null || !params.isObject()) {
      return plain(theta);
    }
    if (params.path("rope_theta").isNumber()) {
      theta = params.get("rope_theta").asDouble();
    }
    String type = params.path("rope_type").asText(params.path("type").asText("default"));
    double partial = params.path("partial_rotary_factor").asDouble(1.0);
    if (partial != 1.0) {
      throw CheckpointException.of(
          location,
          "partial_rotary_factor %s is not supported (every head rotates whole)",
          partial);
    }
    return switch (type) {
      case "default" -> new RopeSpec(theta, type, 1, 0, 0, 0, partial);
      case "linear" ->
          new RopeSpec(theta, type, params.path("factor").asDouble(1.0), 0, 0, 0, partial);
      case "llama3" ->
          new RopeSpec(
              theta,
              type,
              params.path("factor").asDouble(8.0),
              params.path("low_freq_factor").asDouble(1.0),
              params.path("high_freq_factor").asDouble(4.0),
              params.path("original_max_position_embeddings").asDouble(8192),
              partial);
      default ->
          throw CheckpointException.of(
              location,
              "rope_type '%s' is not supported by the forward pass (default, linear, llama3 are)",
              type);
    };
  }

  /** The inverse frequencies of a head of {@code headDim}, one per rotated pair. */
  public float[] inverseFrequencies(int headDim) {
    int dim = (int) (headDim * partialRotary);
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      // transformers: 1 / base ** (arange(0, dim, 2).float() / dim), in float32
      float exponent = (float) (2 * i) / dim;
      double f = 1.0 / Math.pow(theta, exponent);
      inv[i] = (float) scale(f);
    }
    return inv;
  }

  private double scale(double invFreq) {
    if ("linear".equals(type)) {
      return invFreq / factor;
    }
    if (!"llama3".equals(type)) {
      return invFreq;
    }
    double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
    double highFreqWavelen = originalMaxPositions / highFreqFactor;
    double wavelen = 2 * Math.PI / invFreq;
    if (wavelen < highFreqWavelen) {
      return invFreq;
    }
    if (wavelen > lowFreqWavelen) {
      return invFreq / factor;
    }
    double smooth =
        (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
    return (1 - smooth) * invFreq / factor + smooth * invFreq;
  }

  /**
   * cos and sin tables for positions 0..n-1: each [n, headDim] row-major, the frequencies repeated
   * twice as transformers' rotate_half layout expects.
   */
  public float[][] cosSin(int positions, int headDim) {
    float[] inv = inverseFrequencies(headDim);
    int half = inv.length;
    int rotated = 2 * half;
    float[] cos = new float[positions * rotated];
    float[] sin = new float[positions * rotated];
    for (int p = 0; p < positions; p++) {
      for (int i = 0; i < half; i++) {
        float angle = p * inv[i];
        float c = (float) Math.cos(angle);
        float s = (float) Math.sin(angle);
        cos[p * rotated + i] = c;
        cos[p * rotated + half + i] = c;
        sin[p * rotated + i] = s;
        sin[p * rotated + half + i] = s;
      }
    }
    return new float[][] {cos, sin};
  }
}
