package io.deltascope.model;

/**
 * logit-diff at one position of one prompt or window.
 *
 * @param promptIndex the prompt's (or window's) index
 * @param position 0-based position: the distribution over the token after it
 * @param tokenId the token at this position
 * @param nextId the actual next token, or -1 at the last position
 * @param divergence KL, top-1s and the next token's log-probabilities
 * @param topBase the base's top-k, kept only for the batch's positions of largest KL; else null
 * @param topFinetuned the fine-tune's top-k, likewise
 */
public record PositionMetrics(
    int promptIndex,
    int position,
    long tokenId,
    long nextId,
    TokenDivergence divergence,
    TopTokens topBase,
    TopTokens topFinetuned) {

  PositionMetrics withTops(TopTokens base, TopTokens finetuned) {
    return new PositionMetrics(promptIndex, position, tokenId, nextId, divergence, base, finetuned);
  }
}
