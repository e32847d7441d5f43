package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs two models over a batch of prompts in lockstep, one layer at a time: block l of the base is
 * loaded, every prompt goes through it, it is freed; the same for the fine-tune; then both residual
 * streams are compared at layer l. Memory stays at one block of each model plus the batch's
 * residuals.
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
      for (int l = 0; l < layers; l++) {
        advance(base, l, a);
        advance(finetuned, l, b);
        for (int i = 0; i < n; i++) {
          compare(a[i], b[i], base.config().hidden(), last[i], mean[i], l + 1);
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

  /** Every residual in {@code h} through block {@code layer}, replacing it. */
  static void advance(DecoderModel model, int layer, NDArray[] h) {
    try (Block block = model.block(layer)) {
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
