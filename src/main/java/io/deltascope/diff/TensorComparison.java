package io.deltascope.diff;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.TensorReader;
import io.deltascope.tensor.DeltaAccumulator;
import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.GramAccumulator;
import io.deltascope.tensor.Spectrum;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Compares tensors in a single pass over their bytes: the metrics, and when asked the Gram matrix
 * of each delta for its spectrum, from the same decoded values. One base tensor is compared with
 * one fine-tune, or with several at once (a batch where many fine-tunes share a base reads each
 * base chunk once).
 */
public final class TensorComparison {
  /**
   * Values decoded per side per step: 64 KB of doubles each, a multiple of every block size. Small
   * enough that both sides stay in the core's cache between decoding and accumulating them.
   */
  static final int CHUNK = 1 << 13;

  private final double[] a = new double[CHUNK];
  private final double[] b = new double[CHUNK];
  // one per fine-tune compared at once: a Gram's arrays live until its tensor is done
  private final List<GramAccumulator.Workspace> workspaces = new ArrayList<>();

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
    return compareAll(List.of(pair), sources, settings).get(0);
  }

  /**
   * Compares pairs that share their base tensor and element count, reading the base once.
   *
   * @return what each pair's pass found, in order
   */
  public List<TensorDelta> compareAll(
      List<TensorPair> pairs, Function<String, ByteSource> sources, SpectrumSettings settings) {
    try {
      return compareMapped(pairs, sources, settings);
    } catch (InternalError fault) {
      List<io.deltascope.checkpoint.TensorInfo> read = new ArrayList<>();
      pairs.forEach(p -> read.addAll(List.of(p.base(), p.finetuned())));
      throw io.deltascope.checkpoint.CheckpointException.mappedReadFailed(fault, read);
    }
  }

  private List<TensorDelta> compareMapped(
      List<TensorPair> pairs, Function<String, ByteSource> sources, SpectrumSettings settings) {
    TensorPair first = pairs.get(0);
    TensorReader left =
        new TensorReader(sources.apply(first.base().file()), first.base(), first.elements());
    List<Side> sides = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      TensorPair p = pairs.get(i);
      if (!p.base().equals(first.base()) || p.elements() != first.elements()) {
        throw new IllegalArgumentException(
            p.name() + ": not the same base tensor and length as " + first.name());
      }
      sides.add(new Side(p, sources, settings, workspace(i)));
    }
    int n;
    while ((n = left.read(a)) > 0) {
      for (Side side : sides) {
        side.add(a, b, n);
      }
    }
    return sides.stream().map(side -> side.result(settings)).toList();
  }

  private GramAccumulator.Workspace workspace(int i) {
    while (workspaces.size() <= i) {
      workspaces.add(new GramAccumulator.Workspace());
    }
    return workspaces.get(i);
  }

  /** One fine-tune's side of a pass: its reader, its accumulator, its Gram when it has one. */
  private static final class Side {
    private final TensorPair pair;
    private final TensorReader reader;
    private final DeltaAccumulator acc = new DeltaAccumulator();
    private final SpectrumSettings.Path path;
    private final GramAccumulator gram;

    Side(
        TensorPair pair,
        Function<String, ByteSource> sources,
        SpectrumSettings settings,
        GramAccumulator.Workspace workspace) {
      this.pair = pair;
      this.reader =
          new TensorReader(
              sources.apply(pair.finetuned().file()), pair.finetuned(), pair.elements());
      this.path = settings.pathFor(pair);
      if (path == SpectrumSettings.Path.LOCAL && !DeltaSpectra.isLowRank(pair)) {
        DeltaMatrix m = DeltaMatrix.of(pair);
        this.gram = new GramAccumulator(m.rows(), m.cols(), workspace);
      } else {
        this.gram = null;
      }
    }

    /** Adds the next {@code n} base values {@code a}, reading this side's into {@code b}. */
    void add(double[] a, double[] b, int n) {
      int m = reader.read(b);
      if (m != n) {
        throw new IllegalStateException(
            pair.name() + ": sides ran out of step (" + n + " vs " + m + " values)");
      }
      acc.add(a, b, n);
      if (gram != null) {
        gram.add(a, b, n);
      }
    }

    TensorDelta result(SpectrumSettings settings) {
      DeltaMetrics metrics = acc.result();
      Spectrum decided = DeltaSpectra.decided(pair, metrics, settings);
      if (decided != null || path == SpectrumSettings.Path.DISTRIBUTED) {
        return new TensorDelta(metrics, decided); // null: the distributed path computes it
      }
      double[] s = gram == null ? DeltaSpectra.lowRankSingularValues(pair) : gram.singularValues();
      return new TensorDelta(metrics, DeltaSpectra.of(pair, metrics, s, settings));
    }
  }
}
