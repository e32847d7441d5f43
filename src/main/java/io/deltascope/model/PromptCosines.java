package io.deltascope.model;

/**
 * How alike two models' residual streams are on one prompt, per layer (0 = embeddings).
 *
 * @param index the prompt's position in the list
 * @param prompt the text
 * @param tokens tokens of the prompt (the base's)
 * @param lastToken cosine at the last position, by layer
 * @param meanOverTokens cosine averaged over positions, by layer
 */
public record PromptCosines(
    int index, String prompt, int tokens, double[] lastToken, double[] meanOverTokens) {}
