package io.deltascope.job;

import io.deltascope.model.DecoderModel;
import io.deltascope.model.LayerLens;
import io.deltascope.model.LogitLens;
import io.deltascope.model.PromptTokenizer;
import io.deltascope.results.LogitLensRow;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * Executor side of compare: the logit lens of a partition's (model, prompt) work at every layer, as
 * rows: the top-k tokens and every tracked token, whatever its rank.
 */
public final class ComputeLogitLens implements FlatMapFunction<Iterator<LensWork>, LogitLensRow> {
  private static final long serialVersionUID = 1L;

  private final int topK;

  public ComputeLogitLens(int topK) {
    this.topK = topK;
  }

  @Override
  public Iterator<LogitLensRow> call(Iterator<LensWork> work) {
    Map<String, List<LensWork>> byModel = new LinkedHashMap<>();
    work.forEachRemaining(w -> byModel.computeIfAbsent(w.model(), m -> new ArrayList<>()).add(w));
    List<LogitLensRow> rows = new ArrayList<>();
    for (List<LensWork> batch : byModel.values()) {
      String location = batch.get(0).model();
      DecoderModel model = LoadedModels.model(location);
      PromptTokenizer tokenizer = LoadedModels.tokenizer(batch.get(0).tokenizer());
      for (LensWork w : batch) {
        List<LayerLens> layers = LogitLens.run(model, List.of(w.ids()), topK, w.tracked()).get(0);
        for (LayerLens lens : layers) {
          for (int r = 0; r < lens.topIds().length; r++) {
            rows.add(
                row(
                    w,
                    lens.layer(),
                    r + 1,
                    lens.topIds()[r],
                    lens.topProbs()[r],
                    false,
                    tokenizer));
          }
          for (int t = 0; t < w.tracked().length; t++) {
            rows.add(
                row(
                    w,
                    lens.layer(),
                    lens.trackedRanks()[t],
                    w.tracked()[t],
                    lens.trackedProbs()[t],
                    true,
                    tokenizer));
          }
        }
      }
    }
    return rows.iterator();
  }

  private static LogitLensRow row(
      LensWork w,
      int layer,
      int rank,
      long id,
      float prob,
      boolean tracked,
      PromptTokenizer tokenizer) {
    LogitLensRow row = new LogitLensRow();
    row.setModelIndex(w.modelIndex());
    row.setModel(w.model());
    row.setPromptIndex(w.promptIndex());
    row.setPrompt(w.prompt());
    row.setLayer(layer);
    row.setRank(rank);
    row.setTokenId(id);
    row.setToken(tokenizer.decode(id));
    row.setProb(prob);
    row.setTracked(tracked);
    return row;
  }
}
