package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The two models' next-token distributions compared at every position of a batch of prompts: both
 * run in lockstep ({@link Lockstep}), then the final logits are taken a few positions at a time,
 * compared in float64 ({@link TokenDivergence}) and dropped. Top-k predictions are kept only for
 * the batch's positions of largest KL.
 */
public final class LogitDiff {
  /** Logit floats per model held at once: positions are taken in chunks of this over vocab. */
  private static final int CHUNK_FLOATS = 1 << 22;

  private LogitDiff() {}

  /**
   * @param prompts token ids, the same for both models
   * @param topK predictions kept per model at a kept position
   * @param keep how many positions of largest KL keep their top-k
   */
  public static List<PositionMetrics> run(
      DecoderModel base, DecoderModel finetuned, List<PromptPair> prompts, int topK, int keep) {
    int vocab = checkVocabularies(base, finetuned);
    int n = prompts.size();
    Kept kept = new Kept(keep);
    List<PositionMetrics> out = new ArrayList<>();
    try (NDManager batchA = base.newBatchManager();
        NDManager batchB = finetuned.newBatchManager()) {
      NDArray[] a = new NDArray[n];
      NDArray[] b = new NDArray[n];
      for (int i = 0; i < n; i++) {
        long[] ids = prompts.get(i).base().ids();
        a[i] = base.embed(batchA, ids);
        b[i] = finetuned.embed(batchB, ids);
      }
      Lockstep.forward(base, finetuned, a, b);
      // the blocks' idle buffers go before the output heads are widened, so both never coexist
      base.releaseBuffers();
      finetuned.releaseBuffers();
      double[] scratch = new double[vocab];
      for (int i = 0; i < n; i++) {
        PromptPair p = prompts.get(i);
        long[] ids = p.base().ids();
        int chunk = Math.max(1, CHUNK_FLOATS / vocab);
        for (int from = 0; from < ids.length; from += chunk) {
          int to = Math.min(ids.length, from + chunk);
          float[] la = base.logitRows(a[i], from, to); // [to - from, vocab]
          float[] lb = finetuned.logitRows(b[i], from, to);
          for (int pos = from; pos < to; pos++) {
            long next = pos + 1 < ids.length ? ids[pos + 1] : -1;
            TokenDivergence d = TokenDivergence.of(la, lb, pos - from, vocab, next, scratch);
            PositionMetrics m = new PositionMetrics(p.index(), pos, ids[pos], next, d, null, null);
            out.add(m);
            if (kept.wants(d.kl())) {
              kept.add(
                  out.size() - 1,
                  d.kl(),
                  TopTokens.of(la, pos - from, vocab, topK),
                  TopTokens.of(lb, pos - from, vocab, topK));
            }
          }
        }
      }
    } finally {
      base.releaseBuffers();
      finetuned.releaseBuffers();
    }
    kept.attach(out);
    return out;
  }

  /** Both heads' row count (the real vocabulary), which must be the same. */
  public static int checkVocabularies(DecoderModel base, DecoderModel finetuned) {
    long va = base.vocabSize();
    long vb = finetuned.vocabSize();
    if (va != vb) {
      throw new IllegalArgumentException(
          String.format(
              "%s predicts over %d tokens but %s over %d: their next-token distributions cannot"
                  + " be compared",
              base.location(), va, finetuned.location(), vb));
    }
    return Math.toIntExact(va);
  }

  /** The positions of largest KL seen so far and their top-k, at most {@code capacity}. */
  private static final class Kept {
    private record Entry(int index, double kl, TopTokens base, TopTokens finetuned) {}

    // smallest KL first, so the head is the one to evict; ties evict the later position
    private final PriorityQueue<Entry> heap =
        new PriorityQueue<>(
            Comparator.comparingDouble(Entry::kl)
                .thenComparing(Comparator.comparingInt(Entry::index).reversed()));
    private final int capacity;

    Kept(int capacity) {
      this.capacity = capacity;
    }

    boolean wants(double kl) {
      return capacity > 0 && (heap.size() < capacity || kl > heap.peek().kl());
    }

    void add(int index, double kl, TopTokens base, TopTokens finetuned) {
      heap.add(new Entry(index, kl, base, finetuned));
      if (heap.size() > capacity) {
        heap.poll();
      }
    }

    void attach(List<PositionMetrics> rows) {
      Map<Integer, Entry> byIndex = new HashMap<>();
      heap.forEach(e -> byIndex.put(e.index(), e));
      byIndex.forEach((i, e) -> rows.set(i, rows.get(i).withTops(e.base(), e.finetuned())));
    }
  }
}
