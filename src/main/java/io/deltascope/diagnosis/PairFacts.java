package io.deltascope.diagnosis;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.LowRankUpdate;
import io.deltascope.checkpoint.ModelConfig;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.diff.QuantizedFile;
import io.deltascope.diff.WeightDiffPlan;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What a diagnosis knows of the pair beyond the tensors: both configs and the quantized sides.
 *
 * @param base the base's config ({@link ModelConfig#unknown()} without config.json)
 * @param finetuned the fine-tune's config
 * @param quantized the GGUF sides: none, one or both
 * @param adapterFactorTypes the stored types of the factors when the fine-tune is an unmerged LoRA
 *     adapter applied over the base ("F32"); empty otherwise
 */
public record PairFacts(
    ModelConfig base,
    ModelConfig finetuned,
    List<QuantizedFile> quantized,
    List<String> adapterFactorTypes) {

  public static PairFacts of(WeightDiffPlan plan) {
    return new PairFacts(
        plan.base().config(),
        plan.finetuned().config(),
        QuantizedFile.of(plan),
        factorTypes(plan.finetuned()));
  }

  /** Nothing known beyond the tensors, except which sides are quantized. */
  public static PairFacts quantized(List<QuantizedFile> quantized) {
    return new PairFacts(
        ModelConfig.unknown(), ModelConfig.unknown(), List.copyOf(quantized), List.of());
  }

  /** Whether the fine-tune is an unmerged adapter, applied over the base as it is read. */
  boolean unmergedAdapter() {
    return !adapterFactorTypes.isEmpty();
  }

  private static List<String> factorTypes(Checkpoint checkpoint) {
    return checkpoint.tensors().values().stream()
        .map(TensorInfo::update)
        .filter(Objects::nonNull)
        .flatMap((LowRankUpdate u) -> Stream.of(u.a().dtype(), u.b().dtype()))
        .map(DType::name)
        .distinct()
        .sorted()
        .toList();
  }
}
