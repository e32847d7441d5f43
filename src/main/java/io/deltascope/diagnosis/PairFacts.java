package io.deltascope.diagnosis;

import io.deltascope.checkpoint.ModelConfig;
import io.deltascope.diff.QuantizedFile;
import io.deltascope.diff.WeightDiffPlan;
import java.util.List;

/**
 * What a diagnosis knows of the pair beyond the tensors: both configs and the quantized sides.
 *
 * @param base the base's config ({@link ModelConfig#unknown()} without config.json)
 * @param finetuned the fine-tune's config
 * @param quantized the GGUF sides: none, one or both
 */
public record PairFacts(ModelConfig base, ModelConfig finetuned, List<QuantizedFile> quantized) {

  public static PairFacts of(WeightDiffPlan plan) {
    return new PairFacts(plan.base().config(), plan.finetuned().config(), QuantizedFile.of(plan));
  }

  /** Nothing known beyond the tensors, except which sides are quantized. */
  public static PairFacts quantized(List<QuantizedFile> quantized) {
    return new PairFacts(ModelConfig.unknown(), ModelConfig.unknown(), List.copyOf(quantized));
  }
}
