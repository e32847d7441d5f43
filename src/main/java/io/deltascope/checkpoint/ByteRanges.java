package io.deltascope.checkpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/** Checks on the byte ranges a file's header declares, shared by every format's reader. */
public final class ByteRanges {
  private ByteRanges() {}

  /**
   * Throws when two of {@code items}' ranges overlap, naming both with offsets relative to {@code
   * dataStart} (as the header wrote them).
   */
  public static <T> void checkNoOverlap(
      String file,
      List<T> items,
      Function<T, String> name,
      ToLongFunction<T> offset,
      ToLongFunction<T> length,
      long dataStart) {
    List<T> byOffset = new ArrayList<>(items);
    byOffset.sort(Comparator.comparingLong(offset));
    for (int i = 1; i < byOffset.size(); i++) {
      T previous = byOffset.get(i - 1);
      T current = byOffset.get(i);
      long previousEnd = offset.applyAsLong(previous) + length.applyAsLong(previous);
      if (offset.applyAsLong(current) < previousEnd) {
        throw CheckpointException.of(
            file,
            "tensors '%s' [%d, %d) and '%s' [%d, %d) overlap",
            name.apply(previous),
            offset.applyAsLong(previous) - dataStart,
            previousEnd - dataStart,
            name.apply(current),
            offset.applyAsLong(current) - dataStart,
            offset.applyAsLong(current) + length.applyAsLong(current) - dataStart);
      }
    }
  }
}
