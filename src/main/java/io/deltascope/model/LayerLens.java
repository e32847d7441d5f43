package io.deltascope.model;

/**
 * The logit lens at one layer, at the last position: the most probable tokens and the probabilities
 * and ranks of the tracked ones.
 *
 * @param layer -1 = embeddings, l = the output of block l ({@link Layers})
 * @param topIds token ids, most probable first
 * @param topProbs their probabilities
 * @param trackedProbs probability of each tracked id
 * @param trackedRanks rank of each tracked id (1 = most probable)
 */
public record LayerLens(
    int layer, int[] topIds, float[] topProbs, float[] trackedProbs, int[] trackedRanks) {}
