package io.deltascope.job;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;

/**
 * Packs work into partitions of balanced bytes (largest first into the lightest bin), so that no
 * task is left holding all the large tensors.
 */
public final class WorkBins {
  private WorkBins() {}

  /**
   * @param items the units of work
   * @param bytes what each unit reads
   * @param bins how many partitions at most (fewer when there are fewer units)
   */
  public static <T> List<List<T>> pack(List<T> items, ToLongFunction<T> bytes, int bins) {
    int count = Math.max(1, Math.min(bins, items.size()));
    List<List<T>> out = new ArrayList<>();
    PriorityQueue<long[]> lightest =
        new PriorityQueue<>(
            Comparator.<long[]>comparingLong(b -> b[0]).thenComparingLong(b -> b[1]));
    for (int i = 0; i < count; i++) {
      out.add(new ArrayList<>());
      lightest.add(new long[] {0, i});
    }
    List<T> bySize = new ArrayList<>(items);
    bySize.sort(Comparator.comparingLong(bytes).reversed());
    for (T item : bySize) {
      long[] bin = lightest.poll();
      out.get((int) bin[1]).add(item);
      bin[0] += bytes.applyAsLong(item);
      lightest.add(bin);
    }
    out.removeIf(List::isEmpty);
    return out;
  }
}
