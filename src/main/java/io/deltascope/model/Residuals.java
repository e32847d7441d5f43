package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The residual stream of one prompt at every layer, kept in Java memory: layer 0 is the embedding
 * input, layer l the output of block l - 1. For tests and small models; the commands stream.
 */
public final class Residuals {
  private Residuals() {}

  /** [numLayers + 1] arrays of [T * hidden] floats, row-major. */
  public static List<float[]> of(DecoderModel model, long[] ids) {
    List<float[]> layers = new ArrayList<>();
    try (NDManager batch = model.newBatchManager()) {
      NDArray h = model.embed(batch, ids);
      layers.add(h.toFloatArray());
      for (int l = 0; l < model.config().numLayers(); l++) {
        try (Block block = model.block(l)) {
          NDArray next = block.forward(h);
          h.close();
          h = next;
        }
        layers.add(h.toFloatArray());
      }
    }
    return layers;
  }
}
