package io.deltascope.diff;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.TensorReader;
import io.deltascope.tensor.DeltaAccumulator;
import io.deltascope.tensor.DeltaMetrics;
import java.util.function.Function;

/** Compares one {@link TensorPair} in a single pass over both tensors' bytes. */
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
    TensorReader left =
        new TensorReader(sources.apply(pair.base().file()), pair.base(), pair.elements());
    TensorReader right =
        new TensorReader(sources.apply(pair.finetuned().file()), pair.finetuned(), pair.elements());
    DeltaAccumulator acc = new DeltaAccumulator();
    int n;
    while ((n = left.read(a)) > 0) {
      int m = right.read(b);
      if (m != n) {
        throw new IllegalStateException(
            pair.name() + ": sides ran out of step (" + n + " vs " + m + " values)");
      }
      acc.add(a, b, n);
    }
    return acc.result();
  }
}
