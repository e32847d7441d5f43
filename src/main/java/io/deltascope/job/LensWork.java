package io.deltascope.job;

import java.io.Serializable;

/**
 * One model and prompt for the logit lens.
 *
 * @param modelIndex 1 or 2
 * @param model the model's location
 * @param promptIndex position in the prompt list
 * @param prompt the text
 * @param ids the prompt's token ids under this model's tokenizer
 * @param tracked ids of the tracked tokens under this model's tokenizer
 * @param tokenizer the checkpoint whose tokenizer.json decodes the ids (the model's own, or the one
 *     given for both)
 */
public record LensWork(
    int modelIndex,
    String model,
    int promptIndex,
    String prompt,
    long[] ids,
    long[] tracked,
    String tokenizer)
    implements Serializable {}
