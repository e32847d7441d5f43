package io.deltascope.model;

import ai.djl.ndarray.NDArray;

/**
 * RMSNorm (x / rms(x) * w) or LayerNorm ((x - mean) / std * w + b) over the last axis, in float32
 * as transformers computes them. Gemma's (1 + w) is folded into {@code weight} when loaded.
 *
 * @param weight [width], the scale with any offset applied
 * @param bias [width] for LayerNorm, else null
 * @param layerNorm LayerNorm rather than RMSNorm
 * @param eps the epsilon inside the square root
 */
record Norm(NDArray weight, NDArray bias, boolean layerNorm, double eps) {
  private static final int[] LAST = {-1};

  NDArray apply(NDArray x) {
    if (layerNorm) {
      NDArray centered = x.sub(x.mean(LAST, true));
      NDArray var = centered.square().mean(LAST, true);
      NDArray y = centered.mul(var.add(eps).pow(-0.5)).mul(weight);
      return bias == null ? y : y.add(bias);
    }
    NDArray ms = x.square().mean(LAST, true);
    return x.mul(ms.add(eps).pow(-0.5)).mul(weight);
  }
}
