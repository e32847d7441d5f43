package io.deltascope.diff;

import io.deltascope.model.Layers;
import io.deltascope.model.PromptPair;
import io.deltascope.results.ActivationMetricsRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * activation-diff's outcome: per layer, the cosines averaged over prompts; per prompt, the cosines
 * by layer.
 *
 * @param base the base checkpoint
 * @param finetuned the fine-tuned checkpoint
 * @param layers one per layer, the embeddings (layer -1) first
 * @param prompts one per prompt, in the user's order
 * @param rows the rows as computed (for the results store)
 * @param firstNonFiniteLayer the first layer where a prompt's hidden states went NaN or infinite
 *     (their cosine is not finite), or null when every cosine is finite
 */
public record ActivationDiffResult(
    String base,
    String finetuned,
    List<LayerCosine> layers,
    List<PromptResult> prompts,
    List<ActivationMetricsRow> rows,
    Integer firstNonFiniteLayer) {

  /** Divergence above which a layer is flagged. */
  public static final double FLAG = 0.1;

  /**
   * @param layer -1 = embeddings, l = the output of block l ({@link Layers})
   * @param avgCosine cosine at the last token, averaged over prompts
   * @param avgCosineAllTokens cosine averaged over tokens, then over prompts
   * @param divergence 1 - avgCosine
   */
  public record LayerCosine(
      int layer, double avgCosine, double avgCosineAllTokens, double divergence) {
    /** Diverged: above {@link #FLAG}, or not finite (hidden states gone NaN or infinite). */
    public boolean diverged() {
      return !Double.isFinite(avgCosine)
          || !Double.isFinite(avgCosineAllTokens)
          || divergence > FLAG;
    }
  }

  /**
   * @param prompt the text
   * @param tokens the base model's tokens
   * @param cosineByLayer at the last token, element i for layer i - 1 (the embeddings first)
   * @param cosineAllTokensByLayer averaged over tokens, indexed alike
   */
  public record PromptResult(
      String prompt,
      List<String> tokens,
      double[] cosineByLayer,
      double[] cosineAllTokensByLayer) {}

  public static ActivationDiffResult of(
      String base, String finetuned, List<PromptPair> prompts, List<ActivationMetricsRow> rows) {
    int layers =
        rows.stream().mapToInt(r -> Layers.residualIndex(r.getLayer())).max().orElse(-1) + 1;
    int n = prompts.size();
    double[][] last = new double[n][layers];
    double[][] all = new double[n][layers];
    for (ActivationMetricsRow r : rows) {
      last[r.getPromptIndex()][Layers.residualIndex(r.getLayer())] = r.getCosineLastToken();
      all[r.getPromptIndex()][Layers.residualIndex(r.getLayer())] = r.getCosineAllTokens();
    }
    List<LayerCosine> byLayer = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      double sumLast = 0;
      double sumAll = 0;
      for (int i = 0; i < n; i++) {
        sumLast += last[i][l];
        sumAll += all[i][l];
      }
      byLayer.add(new LayerCosine(Layers.ofResidual(l), sumLast / n, sumAll / n, 1 - sumLast / n));
    }
    List<PromptResult> byPrompt = new ArrayList<>();
    for (PromptPair p : prompts) {
      byPrompt.add(
          new PromptResult(p.prompt(), p.base().tokens(), last[p.index()], all[p.index()]));
    }
    List<ActivationMetricsRow> sorted = new ArrayList<>(rows);
    sorted.sort(
        Comparator.comparingInt(ActivationMetricsRow::getPromptIndex)
            .thenComparingInt(ActivationMetricsRow::getLayer));
    Integer nonFinite =
        byLayer.stream()
            .filter(
                l -> !Double.isFinite(l.avgCosine()) || !Double.isFinite(l.avgCosineAllTokens()))
            .map(LayerCosine::layer)
            .findFirst()
            .orElse(null);
    return new ActivationDiffResult(
        base,
        finetuned,
        List.copyOf(byLayer),
        List.copyOf(byPrompt),
        List.copyOf(sorted),
        nonFinite);
  }
}
