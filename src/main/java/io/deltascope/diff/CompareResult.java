package io.deltascope.diff;

import io.deltascope.model.Layers;
import io.deltascope.results.LogitLensRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * compare's outcome: for each model, its tokens of the prompt, its final predictions, its top-k at
 * every layer, and where each tracked token emerges.
 *
 * @param prompt the prompt
 * @param models the two models, in the order given
 * @param rows the logit-lens rows as computed (for the results store)
 */
public record CompareResult(String prompt, List<ModelLens> models, List<LogitLensRow> rows) {

  /**
   * @param id token id
   * @param token the token decoded
   * @param prob its probability
   */
  public record Prediction(long id, String token, double prob) {}

  /**
   * @param layer -1 = embeddings, l = the output of block l ({@link Layers})
   * @param top most probable first
   */
  public record LayerTop(int layer, List<Prediction> top) {}

  /**
   * @param token the string the user asked to track
   * @param id the id tracked: the string's first token under this model's tokenizer, or the id the
   *     user gave ("#1234")
   * @param idText that id's token as the tokenizer decodes it
   * @param pieces how many tokens the string is (1 when it is a single token)
   * @param emergenceLayer the first layer where it is the top-1 token, or null
   * @param finalProb its probability at the last layer
   * @param probByLayer its probability at every layer, element i for layer i - 1
   */
  public record Tracked(
      String token,
      long id,
      String idText,
      int pieces,
      Integer emergenceLayer,
      double finalProb,
      List<Double> probByLayer) {}

  /**
   * @param model the location
   * @param tokens the prompt's tokens under its tokenizer
   * @param layers top-k per layer, the embeddings (layer -1) first; the last is the model's own
   *     prediction
   * @param tracked the tracked tokens
   * @param firstNonFiniteLayer the first layer whose probabilities are NaN or infinite (its hidden
   *     state went non-finite), or null
   */
  public record ModelLens(
      String model,
      List<String> tokens,
      List<LayerTop> layers,
      List<Tracked> tracked,
      Integer firstNonFiniteLayer) {
    public List<Prediction> finalPredictions() {
      return layers.isEmpty() ? List.of() : layers.get(layers.size() - 1).top();
    }
  }

  /** What the driver knows of a tracked string for one model before the job. */
  public record TrackedRequest(String token, long id, int pieces) {}

  /**
   * @param modelIndex 1 or 2
   * @param model the location
   * @param tokens the prompt's tokens
   * @param tracked the tracked strings under this model's tokenizer
   */
  public record ModelRequest(
      int modelIndex, String model, List<String> tokens, List<TrackedRequest> tracked) {}

  /** The first layer with a probability that is not finite, or null. */
  private static Integer nonFinite(List<LayerTop> tops) {
    return tops.stream()
        .filter(t -> t.top().stream().anyMatch(x -> !Double.isFinite(x.prob())))
        .map(LayerTop::layer)
        .findFirst()
        .orElse(null);
  }

  public static CompareResult of(
      String prompt, List<ModelRequest> models, List<LogitLensRow> rows) {
    List<LogitLensRow> sorted = new ArrayList<>(rows);
    sorted.sort(
        Comparator.comparingInt(LogitLensRow::getModelIndex)
            .thenComparingInt(LogitLensRow::getLayer)
            .thenComparing(LogitLensRow::isTracked)
            .thenComparingInt(LogitLensRow::getRank));
    List<ModelLens> out = new ArrayList<>();
    for (ModelRequest m : models) {
      List<LogitLensRow> mine =
          sorted.stream().filter(r -> r.getModelIndex() == m.modelIndex()).toList();
      int lastLayer = mine.stream().mapToInt(LogitLensRow::getLayer).max().orElse(-2);
      List<LayerTop> tops = new ArrayList<>();
      for (int l = Layers.EMBEDDINGS; l <= lastLayer; l++) {
        int layer = l;
        tops.add(
            new LayerTop(
                l,
                mine.stream()
                    .filter(r -> r.getLayer() == layer && !r.isTracked())
                    .map(r -> new Prediction(r.getTokenId(), r.getToken(), r.getProb()))
                    .toList()));
      }
      List<Tracked> tracked = new ArrayList<>();
      for (int t = 0; t < m.tracked().size(); t++) {
        TrackedRequest req = m.tracked().get(t);
        List<Double> probs = new ArrayList<>();
        Integer emergence = null;
        String idText = null;
        for (int l = Layers.EMBEDDINGS; l <= lastLayer; l++) {
          int layer = l;
          LogitLensRow r =
              mine.stream()
                  .filter(x -> x.getLayer() == layer && x.isTracked() && x.getTokenId() == req.id())
                  .findFirst()
                  .orElseThrow();
          probs.add(r.getProb());
          idText = r.getToken();
          if (emergence == null && r.getRank() == 1) {
            emergence = l;
          }
        }
        double last = probs.isEmpty() ? Double.NaN : probs.get(probs.size() - 1);
        tracked.add(
            new Tracked(req.token(), req.id(), idText, req.pieces(), emergence, last, probs));
      }
      out.add(
          new ModelLens(
              m.model(), m.tokens(), List.copyOf(tops), List.copyOf(tracked), nonFinite(tops)));
    }
    return new CompareResult(prompt, List.copyOf(out), List.copyOf(sorted));
  }
}
