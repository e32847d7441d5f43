package io.deltascope.diff;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.TensorReader;
import io.deltascope.tensor.DeltaAccumulator;
import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.GramAccumulator;
import io.deltascope.tensor.Spectrum;
import java.util.function.Function;

/**
 * Compares one {@link TensorPair} in a single pass over both tensors' bytes: the metrics, and when
 * asked the Gram matrix of the delta for its spectrum, from the same decoded values.
 */
public final class TensorComparison {
  /**
   * Values decoded per side per step: 64 KB of doubles each, a multiple of every block size. Small
   * enough that both sides stay in the core's cache between decoding and accumulating them.
   */
  static final int CHUNK = 1 << 13;

  private final double[] a = new double[CHUNK];
  private final double[] b = new double[CHUNK];
  private final GramAccumulator.Workspace workspace = new GramAccumulator.Workspace();

  /**
   * Compares {@code pair}, opening its files through {@code sources} (which may cache them across
   * pairs; the caller closes them).
   */
  public DeltaMetrics compare(TensorPair pair, Function<String, ByteSource> sources) {
    return compare(pair, sources, SpectrumSettings.OFF).metrics();
  }

  /**
   * Compares {@code pair} and, when {@code settings} put its spectrum on the local path, computes
   * it in the same pass. A pair for the distributed path comes back with a null spectrum.
   */
  public TensorDelta compare(
      TensorPair pair, Function<String, ByteSource> sources, SpectrumSettings settings) {
    SpectrumSettings.Path path = settings.pathFor(pair);
    GramAccumulator gram = null;
    if (path == SpectrumSettings.Path.LOCAL) {
      DeltaMatrix m = DeltaMatrix.of(pair);
      gram = new GramAccumulator(m.rows(), m.cols(), workspace);
    }
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
      if (gram != null) {
        gram.add(a, b, n);
      }
    }
    DeltaMetrics metrics = acc.result();
    Spectrum decided = DeltaSpectra.decided(pair, metrics, settings);
    if (decided != null || path == SpectrumSettings.Path.DISTRIBUTED) {
      return new TensorDelta(metrics, decided); // null: the distributed path computes it
    }
    return new TensorDelta(
        metrics, DeltaSpectra.of(pair, metrics, gram.singularValues(), settings));
  }
}
