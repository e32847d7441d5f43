package io.deltascope.job;

import io.deltascope.model.LogitDiff;
import io.deltascope.model.PositionMetrics;
import io.deltascope.model.PromptPair;
import io.deltascope.model.TokenDivergence;
import io.deltascope.model.TopTokens;
import io.deltascope.results.TokenMetricsRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * Executor side of logit-diff: a partition's prompts through both models, {@code batchSize} at a
 * time (each batch streams every block once), one row per position. The models are opened once per
 * executor JVM ({@link LoadedModels}); top-k predictions ride along for each batch's {@code keep}
 * positions of largest KL, enough for the driver to pick the overall largest.
 */
public final class ComputeTokenMetrics
    implements FlatMapFunction<Iterator<PromptPair>, TokenMetricsRow> {
  private static final long serialVersionUID = 1L;

  private final String base;
  private final String finetuned;
  private final int batchSize;
  private final int topK;
  private final int keep;

  public ComputeTokenMetrics(String base, String finetuned, int batchSize, int topK, int keep) {
    this.base = base;
    this.finetuned = finetuned;
    this.batchSize = batchSize;
    this.topK = topK;
    this.keep = keep;
  }

  @Override
  public Iterator<TokenMetricsRow> call(Iterator<PromptPair> prompts) {
    List<PromptPair> all = new ArrayList<>();
    prompts.forEachRemaining(all::add);
    List<TokenMetricsRow> rows = new ArrayList<>();
    for (int from = 0; from < all.size(); from += batchSize) {
      List<PromptPair> batch = all.subList(from, Math.min(all.size(), from + batchSize));
      List<PositionMetrics> metrics =
          LogitDiff.run(LoadedModels.model(base), LoadedModels.model(finetuned), batch, topK, keep);
      int at = 0;
      for (PromptPair p : batch) {
        List<String> tokens = p.base().tokens();
        for (int pos = 0; pos < p.base().length(); pos++) {
          rows.add(row(metrics.get(at++), tokens));
        }
      }
    }
    return rows.iterator();
  }

  static TokenMetricsRow row(PositionMetrics m, List<String> tokens) {
    TokenDivergence d = m.divergence();
    TokenMetricsRow row = new TokenMetricsRow();
    row.setPromptIndex(m.promptIndex());
    row.setPosition(m.position());
    row.setTokenId(m.tokenId());
    row.setToken(tokens.get(m.position()));
    boolean hasNext = m.nextId() >= 0;
    row.setNextTokenId(hasNext ? m.nextId() : null);
    row.setNextToken(hasNext ? tokens.get(m.position() + 1) : null);
    row.setKlDivergence(d.kl());
    row.setTop1Base(d.top1Base());
    row.setTop1Finetuned(d.top1Finetuned());
    row.setTop1Agree(d.agrees());
    row.setLogprobBase(hasNext ? d.logprobBase() : null);
    row.setLogprobFinetuned(hasNext ? d.logprobFinetuned() : null);
    if (m.topBase() != null) {
      row.setTopIdsBase(ids(m.topBase()));
      row.setTopProbsBase(probs(m.topBase()));
      row.setTopIdsFinetuned(ids(m.topFinetuned()));
      row.setTopProbsFinetuned(probs(m.topFinetuned()));
    }
    return row;
  }

  private static List<Integer> ids(TopTokens t) {
    return Arrays.stream(t.ids()).boxed().toList();
  }

  private static List<Double> probs(TopTokens t) {
    return Arrays.stream(t.probs()).boxed().toList();
  }
}
