package io.deltascope.model;

/**
 * How two next-token distributions differ at one position, computed in float64 from the logits: P =
 * softmax(base logits), Q = softmax(fine-tune logits).
 *
 * @param kl KL(P ‖ Q) = Σ p (log p - log q), in nats; 0 when the logits are equal
 * @param top1Base the base's most probable token (ties to the lower id)
 * @param top1Finetuned the fine-tune's
 * @param logprobBase log P(actual next token), NaN where there is none
 * @param logprobFinetuned log Q(actual next token), NaN where there is none
 */
public record TokenDivergence(
    double kl, int top1Base, int top1Finetuned, double logprobBase, double logprobFinetuned) {

  /**
   * Compares row {@code row} of two [rows, vocab] logit blocks.
   *
   * @param next the actual next token, or -1 at a prompt's last position
   * @param scratch at least vocab doubles, overwritten
   */
  public static TokenDivergence of(
      float[] base, float[] finetuned, int row, int vocab, long next, double[] scratch) {
    int at = row * vocab;
    double maxP = max(base, at, vocab);
    double sumP = 0;
    for (int i = 0; i < vocab; i++) {
      scratch[i] = Math.exp(base[at + i] - maxP);
      sumP += scratch[i];
    }
    double lseP = maxP + Math.log(sumP);
    double lseQ = logSumExp(finetuned, at, vocab);
    double kl = 0;
    for (int i = 0; i < vocab; i++) {
      double logP = base[at + i] - lseP;
      double logQ = finetuned[at + i] - lseQ;
      kl += scratch[i] / sumP * (logP - logQ);
    }
    double lpBase = Double.NaN;
    double lpFinetuned = Double.NaN;
    if (next >= 0) {
      lpBase = base[at + (int) next] - lseP;
      lpFinetuned = finetuned[at + (int) next] - lseQ;
    }
    // rounding can leave a sum of cancelling terms a hair below zero; KL is not negative
    return new TokenDivergence(
        Math.max(0, kl),
        argmax(base, at, vocab),
        argmax(finetuned, at, vocab),
        lpBase,
        lpFinetuned);
  }

  public boolean agrees() {
    return top1Base == top1Finetuned;
  }

  /** log Σ exp(x) over {@code n} entries from {@code at}, in float64. */
  static double logSumExp(float[] x, int at, int n) {
    double max = max(x, at, n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.exp(x[at + i] - max);
    }
    return max + Math.log(sum);
  }

  private static double max(float[] x, int at, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, x[at + i]);
    }
    return max;
  }

  private static int argmax(float[] x, int at, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (x[at + i] > x[at + best]) {
        best = i;
      }
    }
    return best;
  }
}
