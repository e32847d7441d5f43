package io.deltascope.job;

import io.deltascope.model.ActivationDiff;
import io.deltascope.model.Layers;
import io.deltascope.model.PromptCosines;
import io.deltascope.model.PromptPair;
import io.deltascope.results.ActivationMetricsRow;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * Executor side of activation-diff: one partition's prompts through both models in lockstep, one
 * row per prompt and layer. Holds only the two locations, so it serializes small; the models are
 * opened once per executor JVM ({@link LoadedModels}).
 */
public final class ComputeActivationCosines
    implements FlatMapFunction<Iterator<PromptPair>, ActivationMetricsRow> {
  private static final long serialVersionUID = 1L;

  private final String base;
  private final String finetuned;

  public ComputeActivationCosines(String base, String finetuned) {
    this.base = base;
    this.finetuned = finetuned;
  }

  @Override
  public Iterator<ActivationMetricsRow> call(Iterator<PromptPair> prompts) {
    List<PromptPair> batch = new ArrayList<>();
    prompts.forEachRemaining(batch::add);
    if (batch.isEmpty()) {
      return List.<ActivationMetricsRow>of().iterator();
    }
    return rows(ActivationDiff.run(LoadedModels.model(base), LoadedModels.model(finetuned), batch))
        .iterator();
  }

  /**
   * One row per prompt and layer, layers numbered as every command numbers them ({@link Layers}).
   */
  public static List<ActivationMetricsRow> rows(List<PromptCosines> cosines) {
    List<ActivationMetricsRow> rows = new ArrayList<>();
    for (PromptCosines c : cosines) {
      for (int index = 0; index < c.lastToken().length; index++) {
        ActivationMetricsRow row = new ActivationMetricsRow();
        row.setPromptIndex(c.index());
        row.setPrompt(c.prompt());
        row.setNumTokens(c.tokens());
        row.setLayer(Layers.ofResidual(index));
        row.setCosineLastToken(c.lastToken()[index]);
        row.setCosineAllTokens(c.meanOverTokens()[index]);
        row.setDivergence(1 - c.lastToken()[index]);
        rows.add(row);
      }
    }
    return rows;
  }
}
