package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Two models' residual streams through all their blocks in lockstep: block l of the base, then
 * block l of the fine-tune, each loading while the one before computes, so memory holds about two
 * blocks plus the batch's residuals. The models may differ in depth.
 */
final class Lockstep {
  private Lockstep() {}

  /** Runs {@code a} through every base block and {@code b} through every fine-tune block. */
  static void forward(DecoderModel base, DecoderModel finetuned, NDArray[] a, NDArray[] b) {
    record Step(DecoderModel model, int layer, NDArray[] residuals) {}
    List<Step> steps = new ArrayList<>();
    int layers = Math.max(base.config().numLayers(), finetuned.config().numLayers());
    for (int l = 0; l < layers; l++) {
      if (l < base.config().numLayers()) {
        steps.add(new Step(base, l, a));
      }
      if (l < finetuned.config().numLayers()) {
        steps.add(new Step(finetuned, l, b));
      }
    }
    try (BlockLoader loader = new BlockLoader()) {
      for (int s = 0; s < steps.size(); s++) {
        if (s == 0) {
          loader.request(steps.get(0).model(), steps.get(0).layer());
        }
        Block block = loader.take();
        if (s + 1 < steps.size()) {
          loader.request(steps.get(s + 1).model(), steps.get(s + 1).layer());
        }
        ActivationDiff.forward(block, steps.get(s).residuals());
      }
    }
  }
}
