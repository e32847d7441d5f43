package io.deltascope.model;

import java.io.Serializable;

/**
 * One prompt of an activation-diff, tokenized for each model (the same ids twice with a shared
 * tokenizer).
 *
 * @param index position in the user's prompt list
 * @param prompt the text
 * @param base the base model's tokens
 * @param finetuned the fine-tuned model's tokens
 */
public record PromptPair(int index, String prompt, Tokens base, Tokens finetuned)
    implements Serializable {}
