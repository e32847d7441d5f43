package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs two models over a batch of prompts in lockstep, one layer at a time: block l of the base is
 * loaded, every prompt goes through it, it is freed; the same for the fine-tune; then both residual
 * streams are compared at layer l. The next block loads while the current one computes, so memory
 * stays at about two blocks plus the batch's residuals.
 */
public final class ActivationDiff {
  private ActivationDiff() {}

  public static List<PromptCosines> run(
      DecoderModel base, DecoderModel finetuned, List<PromptPair> prompts) {
    int layers = base.config().numLayers();
    if (finetuned.config().numLayers() != layers
        || finetuned.config().hidden() != base.config().hidden()) {
      throw new IllegalArgumentException(
          String.format(
              "%s has %d layers of width %d but %s has %d of width %d: their residual streams"
                  + " cannot be compared",
              base.location(),
              layers,
              base.config().hidden(),
              finetuned.location(),
              finetuned.config().numLayers(),
              finetuned.config().hidden()));
    }
    int n = prompts.size();
    double[][] last = new double[n][layers + 1];
    double[][] mean = new double[n][layers + 1];
    try (NDManager batchA = base.newBatchManager();
        NDManager batchB = finetuned.newBatchManager()) {
      NDArray[] a = new NDArray[n];
      NDArray[] b = new NDArray[n];
      for (int i = 0; i < n; i++) {
        a[i] = base.embed(batchA, prompts.get(i).base().ids());
        b[i] = finetuned.embed(batchB, prompts.get(i).finetuned().ids());
        compare(a[i], b[i], base.config().hidden(), last[i], mean[i], 0);
      }
      // blocks in the order A0, B0, A1, B1, ...; each loads while the one before computes
      DecoderModel[] models = {base, finetuned};
      NDArray[][] residuals = {a, b};
      try (BlockLoader loader = new BlockLoader()) {
        loader.request(base, 0);
        for (int l = 0; l < layers; l++) {
          for (int side = 0; side < 2; side++) {
            Block block = loader.take();
            int nextLayer = side == 1 ? l + 1 : l;
            if (nextLayer < layers) {
              loader.request(models[1 - side], nextLayer);
            }
            forward(block, residuals[side]);
          }
          for (int i = 0; i < n; i++) {
            compare(a[i], b[i], base.config().hidden(), last[i], mean[i], l + 1);
          }
        }
      }
    } finally {
      base.releaseBuffers();
      finetuned.releaseBuffers();
    }
    List<PromptCosines> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PromptPair p = prompts.get(i);
      out.add(new PromptCosines(p.index(), p.prompt(), p.base().length(), last[i], mean[i]));
    }
    return out;
  }

  /** Every residual in {@code h} through {@code block}, replacing it; then frees the block. */
  static void forward(Block block, NDArray[] h) {
    try (block) {
      for (int i = 0; i < h.length; i++) {
        NDArray next = block.forward(h[i]);
        h[i].close();
        h[i] = next;
      }
    }
  }

  private static void compare(
      NDArray a, NDArray b, int hidden, double[] last, double[] mean, int layer) {
    float[] x = a.toFloatArray();
    float[] y = b.toFloatArray();
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          "the two models saw prompts of different lengths: "
              + x.length / hidden
              + " and "
              + y.length / hidden
              + " tokens");
    }
    int t = x.length / hidden;
    double sum = 0;
    for (int p = 0; p < t; p++) {
      double c = Cosine.of(x, y, p * hidden, hidden);
      sum += c;
      if (p == t - 1) {
        last[layer] = c;
      }
    }
    mean[layer] = sum / t;
  }
}
