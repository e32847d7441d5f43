package io.deltascope.model;

import java.util.Arrays;

/**
 * A model's most probable next tokens at one position.
 *
 * @param ids token ids, most probable first (ties to the lower id)
 * @param probs their probabilities, from float64 softmax of the logits
 */
public record TopTokens(int[] ids, double[] probs) {
  public TopTokens {
    ids = ids.clone();
    probs = probs.clone();
  }

  /** The top {@code k} of row {@code row} of a [rows, vocab] logit block. */
  static TopTokens of(float[] logits, int row, int vocab, int k) {
    int at = row * vocab;
    int[] ids = TopK.indices(Arrays.copyOfRange(logits, at, at + vocab), k);
    double lse = TokenDivergence.logSumExp(logits, at, vocab);
    double[] probs = new double[ids.length];
    for (int i = 0; i < ids.length; i++) {
      probs[i] = Math.exp(logits[at + ids[i]] - lse);
    }
    return new TopTokens(ids, probs);
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  @Override
  public double[] probs() {
    return probs.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopTokens t && Arrays.equals(ids, t.ids) && Arrays.equals(probs, t.probs);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + Arrays.hashCode(probs);
  }
}
