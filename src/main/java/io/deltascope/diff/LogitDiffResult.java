package io.deltascope.diff;

import io.deltascope.model.PromptPair;
import io.deltascope.results.TokenMetricsRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongFunction;

/**
 * logit-diff's outcome: how far the fine-tune's next-token distributions moved from the base's,
 * over every position, per prompt (or window), and where they moved most.
 *
 * @param base the base checkpoint
 * @param finetuned the fine-tuned checkpoint
 * @param summary over every position of every prompt
 * @param prompts one per prompt or window, in order
 * @param top the positions of largest KL, largest first, with both models' top-k
 * @param histogram KL's distribution on a log scale
 * @param rows one per position (for the results store), by prompt then position
 */
public record LogitDiffResult(
    String base,
    String finetuned,
    Summary summary,
    List<PromptSummary> prompts,
    List<TopPosition> top,
    Histogram histogram,
    List<TokenMetricsRow> rows) {

  /**
   * The statistics of a set of positions (llama-perplexity's --kl-divergence figures).
   *
   * @param positions positions compared (each has a next-token distribution)
   * @param scored positions with an actual next token (all but each prompt's last)
   * @param klMean mean KL(P ‖ Q), nats
   * @param klMedian median KL (linear interpolation between closest ranks, as numpy)
   * @param klP99 99th percentile KL, likewise
   * @param klMax largest KL
   * @param top1Agreement share of positions where both models' most probable token is the same
   * @param perplexityBase exp of the base's mean negative log-likelihood of the actual next tokens
   * @param perplexityFinetuned the fine-tune's
   * @param deltaPRms root mean square of Q(next) - P(next) over the scored positions
   */
  public record Summary(
      int positions,
      int scored,
      double klMean,
      double klMedian,
      double klP99,
      double klMax,
      double top1Agreement,
      double perplexityBase,
      double perplexityFinetuned,
      double deltaPRms) {

    public static Summary of(List<TokenMetricsRow> rows) {
      double[] kl = rows.stream().mapToDouble(TokenMetricsRow::getKlDivergence).sorted().toArray();
      long agree = rows.stream().filter(TokenMetricsRow::isTop1Agree).count();
      int scored = 0;
      double nllBase = 0;
      double nllFinetuned = 0;
      double dp2 = 0;
      for (TokenMetricsRow r : rows) {
        if (r.getLogprobBase() != null) {
          scored++;
          nllBase -= r.getLogprobBase();
          nllFinetuned -= r.getLogprobFinetuned();
          double dp = Math.exp(r.getLogprobFinetuned()) - Math.exp(r.getLogprobBase());
          dp2 += dp * dp;
        }
      }
      int n = kl.length;
      return new Summary(
          n,
          scored,
          n == 0 ? Double.NaN : Arrays.stream(kl).sum() / n,
          quantile(kl, 0.5),
          quantile(kl, 0.99),
          n == 0 ? Double.NaN : kl[n - 1],
          n == 0 ? Double.NaN : agree / (double) n,
          scored == 0 ? Double.NaN : Math.exp(nllBase / scored),
          scored == 0 ? Double.NaN : Math.exp(nllFinetuned / scored),
          scored == 0 ? Double.NaN : Math.sqrt(dp2 / scored));
    }

    /** numpy's default quantile of sorted values: linear between the closest ranks. */
    static double quantile(double[] sorted, double q) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      double h = (sorted.length - 1) * q;
      int lo = (int) Math.floor(h);
      int hi = Math.min(sorted.length - 1, lo + 1);
      return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
  }

  /**
   * @param index the prompt's or window's index
   * @param prompt its text (a window's label)
   * @param summary over its positions
   */
  public record PromptSummary(int index, String prompt, Summary summary) {}

  /** A predicted token: id, text and probability. */
  public record Prediction(long id, String token, double prob) {}

  /**
   * A position where the distributions moved most.
   *
   * @param promptIndex the prompt's index
   * @param prompt its text
   * @param position 0-based
   * @param token the token at the position, as text
   * @param nextToken the actual next token as text, or null at the last position
   * @param kl KL(P ‖ Q) there
   * @param base the base's top-k
   * @param finetuned the fine-tune's top-k
   */
  public record TopPosition(
      int promptIndex,
      String prompt,
      int position,
      String token,
      String nextToken,
      double kl,
      List<Prediction> base,
      List<Prediction> finetuned) {}

  /**
   * KL's distribution over log10-spaced bins.
   *
   * @param log10Edges bin edges as powers of ten: bin i holds 10^edges[i] <= KL < 10^edges[i+1]
   * @param counts per bin
   * @param below positions with KL under the first edge (0 included)
   */
  public record Histogram(double[] log10Edges, long[] counts, long below) {
    static final double FIRST = -8;
    static final double STEP = 0.5;
    static final int BINS = 22; // up to 10^3 nats

    static Histogram of(List<TokenMetricsRow> rows) {
      double[] edges = new double[BINS + 1];
      for (int i = 0; i <= BINS; i++) {
        edges[i] = FIRST + i * STEP;
      }
      long[] counts = new long[BINS];
      long below = 0;
      for (TokenMetricsRow r : rows) {
        double kl = r.getKlDivergence();
        if (!(kl >= Math.pow(10, FIRST))) {
          below += kl >= 0 ? 1 : 0; // NaN counted nowhere
          continue;
        }
        int bin = (int) Math.floor((Math.log10(kl) - FIRST) / STEP);
        counts[Math.min(BINS - 1, bin)]++;
      }
      return new Histogram(edges, counts, below);
    }
  }

  /**
   * Assembles the result from the executors' rows.
   *
   * @param decode a token id as text, for the top positions' predictions
   * @param showTop how many positions of largest KL to show
   */
  public static LogitDiffResult of(
      String base,
      String finetuned,
      List<PromptPair> prompts,
      List<TokenMetricsRow> rows,
      int showTop,
      LongFunction<String> decode) {
    List<TokenMetricsRow> sorted = new ArrayList<>(rows);
    sorted.sort(
        Comparator.comparingInt(TokenMetricsRow::getPromptIndex)
            .thenComparingInt(TokenMetricsRow::getPosition));
    List<List<TokenMetricsRow>> byPrompt = new ArrayList<>();
    prompts.forEach(p -> byPrompt.add(new ArrayList<>()));
    sorted.forEach(r -> byPrompt.get(r.getPromptIndex()).add(r));
    List<PromptSummary> perPrompt = new ArrayList<>();
    for (PromptPair p : prompts) {
      perPrompt.add(new PromptSummary(p.index(), p.prompt(), Summary.of(byPrompt.get(p.index()))));
    }
    List<TopPosition> top =
        sorted.stream()
            .filter(r -> r.getTopIdsBase() != null)
            .sorted(Comparator.comparingDouble(TokenMetricsRow::getKlDivergence).reversed())
            .limit(showTop)
            .map(r -> topPosition(r, prompts.get(r.getPromptIndex()).prompt(), decode))
            .toList();
    return new LogitDiffResult(
        base,
        finetuned,
        Summary.of(sorted),
        List.copyOf(perPrompt),
        top,
        Histogram.of(sorted),
        List.copyOf(sorted));
  }

  private static TopPosition topPosition(
      TokenMetricsRow r, String prompt, LongFunction<String> decode) {
    return new TopPosition(
        r.getPromptIndex(),
        prompt,
        r.getPosition(),
        decode.apply(r.getTokenId()),
        r.getNextTokenId() == null ? null : decode.apply(r.getNextTokenId()),
        r.getKlDivergence(),
        predictions(r.getTopIdsBase(), r.getTopProbsBase(), decode),
        predictions(r.getTopIdsFinetuned(), r.getTopProbsFinetuned(), decode));
  }

  private static List<Prediction> predictions(
      List<Integer> ids, List<Double> probs, LongFunction<String> decode) {
    List<Prediction> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      out.add(new Prediction(ids.get(i), decode.apply(ids.get(i)), probs.get(i)));
    }
    return List.copyOf(out);
  }
}
