package io.deltascope.job;

import io.deltascope.diff.TensorPair;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;

/**
 * Packs comparisons into partitions of balanced work (largest first into the lightest bin), so that
 * no task is left holding all the large tensors: balanced bytes for the metrics alone, balanced
 * estimated time when spectra make the cost grow faster than the bytes.
 */
public final class WorkBins {
  private WorkBins() {}

  /**
   * @param pairs the comparisons
   * @param bins how many partitions at most (fewer when there are fewer pairs)
   */
  public static List<List<TensorPair>> pack(List<TensorPair> pairs, int bins) {
    return pack(pairs, bins, TensorPair::bytesToRead);
  }

  /**
   * @param pairs the comparisons
   * @param bins how many partitions at most (fewer when there are fewer pairs)
   * @param weight each comparison's share of the work
   */
  public static List<List<TensorPair>> pack(
      List<TensorPair> pairs, int bins, ToLongFunction<TensorPair> weight) {
    int count = Math.max(1, Math.min(bins, pairs.size()));
    List<List<TensorPair>> out = new ArrayList<>();
    PriorityQueue<long[]> lightest =
        new PriorityQueue<>(
            Comparator.<long[]>comparingLong(b -> b[0]).thenComparingLong(b -> b[1]));
    for (int i = 0; i < count; i++) {
      out.add(new ArrayList<>());
      lightest.add(new long[] {0, i});
    }
    List<TensorPair> bySize = new ArrayList<>(pairs);
    bySize.sort(Comparator.comparingLong(weight).reversed());
    for (TensorPair pair : bySize) {
      long[] bin = lightest.poll();
      out.get((int) bin[1]).add(pair);
      bin[0] += weight.applyAsLong(pair);
      lightest.add(bin);
    }
    out.removeIf(List::isEmpty);
    return out;
  }
}
