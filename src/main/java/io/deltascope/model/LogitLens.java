package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * softmax(lm_head(final_norm(h_l))) at the last position of each prompt, for every layer l, the
 * model streamed one block at a time.
 */
public final class LogitLens {
  private LogitLens() {}

  /** Per prompt, per layer (numLayers + 1 of them): the embeddings (layer -1), then each block. */
  public static List<List<LayerLens>> run(
      DecoderModel model, List<long[]> prompts, int topK, long[] tracked) {
    int n = prompts.size();
    List<List<LayerLens>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ArrayList<>());
    }
    try (NDManager batch = model.newBatchManager()) {
      NDArray[] h = new NDArray[n];
      for (int i = 0; i < n; i++) {
        h[i] = model.embed(batch, prompts.get(i));
        out.get(i).add(lens(model, h[i], Layers.EMBEDDINGS, topK, tracked));
      }
      int layers = model.config().numLayers();
      try (BlockLoader loader = new BlockLoader()) {
        loader.request(model, 0);
        for (int l = 0; l < layers; l++) {
          Block block = loader.take();
          if (l + 1 < layers) {
            loader.request(model, l + 1);
          }
          ActivationDiff.forward(block, h);
          for (int i = 0; i < n; i++) {
            out.get(i).add(lens(model, h[i], l, topK, tracked));
          }
        }
      }
    } finally {
      model.releaseBuffers();
    }
    return out;
  }

  static LayerLens lens(DecoderModel model, NDArray h, int layer, int topK, long[] tracked) {
    long t = h.getShape().get(0);
    float[] probs;
    try (NDArray lastRow = h.get(new NDIndex(t - 1))) {
      probs = model.lens(lastRow);
    }
    int[] top = TopK.indices(probs, topK);
    float[] topProbs = new float[top.length];
    for (int i = 0; i < top.length; i++) {
      topProbs[i] = probs[top[i]];
    }
    float[] trackedProbs = new float[tracked.length];
    int[] ranks = new int[tracked.length];
    for (int i = 0; i < tracked.length; i++) {
      int id = (int) tracked[i];
      trackedProbs[i] = id >= 0 && id < probs.length ? probs[id] : Float.NaN;
      ranks[i] = id >= 0 && id < probs.length ? TopK.rank(probs, id) : -1;
    }
    return new LayerLens(layer, top, topProbs, trackedProbs, ranks);
  }
}
