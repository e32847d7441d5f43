package io.deltascope.diff;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.TensorReader;
import io.deltascope.tensor.DeltaAccumulator;
import io.deltascope.tensor.DeltaMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Compares tensors in a single pass over their bytes: one base tensor against one fine-tune, or
 * against several at once (a batch where many fine-tunes share a base reads each base chunk once).
 */
public final class TensorComparison {
  /**
   * Values decoded per side per step: 64 KB of doubles each, a multiple of every block size. Small
   * enough that both sides stay in the core's cache between decoding and accumulating them.
   */
  static final int CHUNK = 1 << 13;

  private final double[] a = new double[CHUNK];
  private final double[] b = new double[CHUNK];

  /**
   * Compares {@code pair}, opening its files through {@code sources} (which may cache them across
   * pairs; the caller closes them).
   */
  public DeltaMetrics compare(TensorPair pair, Function<String, ByteSource> sources) {
    return compareAll(List.of(pair), sources).get(0);
  }

  /**
   * Compares pairs that share their base tensor and element count, reading the base once.
   *
   * @return the metrics of each pair, in order
   */
  public List<DeltaMetrics> compareAll(
      List<TensorPair> pairs, Function<String, ByteSource> sources) {
    TensorPair first = pairs.get(0);
    for (TensorPair p : pairs) {
      if (!p.base().equals(first.base()) || p.elements() != first.elements()) {
        throw new IllegalArgumentException(
            p.name() + ": not the same base tensor and length as " + first.name());
      }
    }
    TensorReader left =
        new TensorReader(sources.apply(first.base().file()), first.base(), first.elements());
    List<TensorReader> rights = new ArrayList<>();
    List<DeltaAccumulator> accs = new ArrayList<>();
    for (TensorPair p : pairs) {
      rights.add(
          new TensorReader(sources.apply(p.finetuned().file()), p.finetuned(), p.elements()));
      accs.add(new DeltaAccumulator());
    }
    int n;
    while ((n = left.read(a)) > 0) {
      for (int i = 0; i < rights.size(); i++) {
        int m = rights.get(i).read(b);
        if (m != n) {
          throw new IllegalStateException(
              first.name() + ": sides ran out of step (" + n + " vs " + m + " values)");
        }
        accs.get(i).add(a, b, n);
      }
    }
    return accs.stream().map(DeltaAccumulator::result).toList();
  }
}
