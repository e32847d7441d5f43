package io.deltascope.model;

import io.deltascope.checkpoint.TensorRole;

/**
 * The one layer numbering of every command: layer l is the output of block l, the block weight-diff
 * calls layer l; the embeddings (the residual stream before any block) are layer -1, written
 * "embed" for people. The forward pass keeps its residuals in a list, embeddings first: residual
 * index i is layer i - 1.
 */
public final class Layers {
  /** The embeddings' layer. */
  public static final int EMBEDDINGS = TensorRole.EMBEDDINGS_LAYER;

  private Layers() {}

  /** The layer of the residual at {@code index} in the forward pass's list (0 = embeddings). */
  public static int ofResidual(int index) {
    return index - 1;
  }

  /** Where {@code layer} sits in the forward pass's list of residuals. */
  public static int residualIndex(int layer) {
    return layer + 1;
  }

  /** "embed" for the embeddings, else the block's number. */
  public static String label(int layer) {
    return layer == EMBEDDINGS ? "embed" : Integer.toString(layer);
  }
}
