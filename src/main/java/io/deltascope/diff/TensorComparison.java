package io.deltascope.diff;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.MappedFaults;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorReader;
import io.deltascope.tensor.DeltaAccumulator;
import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.GramAccumulator;
import io.deltascope.tensor.RankProbe;
import io.deltascope.tensor.Spectrum;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Compares tensors in a single pass over their bytes: the metrics, and when asked the Gram matrix
 * of each delta for its spectrum (with spectra off, a randomized sketch for its rank instead), from
 * the same decoded values. One base tensor is compared with one fine-tune, or with several at once
 * (a batch where many fine-tunes share a base reads each base chunk once, a trajectory each
 * checkpoint's).
 */
public final class TensorComparison {
  /**
   * Values decoded per side per step: 64 KB of doubles each, a multiple of every block size. Small
   * enough that both sides stay in the core's cache between decoding and accumulating them.
   */
  static final int CHUNK = 1 << 13;

  // one chunk per tensor read at once: a batch's base and fine-tunes, a trajectory's checkpoints
  private final List<double[]> buffers = new ArrayList<>();
  // the rounding bounds of each block-quantized tensor's chunk (null for other tensors)
  private final List<double[]> bounds = new ArrayList<>();
  // one per comparison run at once: a Gram's arrays live until its tensor is done
  private final List<GramAccumulator.Workspace> workspaces = new ArrayList<>();
  private final List<RankProbe.Workspace> probeWorkspaces = new ArrayList<>();

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
   * Compares pairs that read overlapping tensors (a shared base, or a tensor along a trajectory),
   * reading each distinct tensor once. Every reader steps by the same chunk from element 0, so each
   * pair sees exactly the chunks it would see compared alone, and its numbers are the same.
   *
   * @return what each pair's pass found, in order
   */
  public List<TensorDelta> compareAll(
      List<TensorPair> pairs, Function<String, ByteSource> sources, SpectrumSettings settings) {
    return MappedFaults.guard(
        () -> compareMapped(pairs, sources, settings),
        fault -> {
          List<TensorInfo> read = new ArrayList<>();
          pairs.forEach(p -> read.addAll(List.of(p.base(), p.finetuned())));
          return CheckpointException.mappedReadFailed(fault, read);
        });
  }

  private List<TensorDelta> compareMapped(
      List<TensorPair> pairs, Function<String, ByteSource> sources, SpectrumSettings settings) {
    Map<TensorInfo, Long> reach = FanOut.reach(pairs);
    List<TensorInfo> tensors = new ArrayList<>(reach.keySet());
    List<TensorReader> readers = new ArrayList<>();
    List<double[]> boundsOf = new ArrayList<>();
    for (TensorInfo t : tensors) {
      TensorReader reader = new TensorReader(sources.apply(t.file()), t, reach.get(t));
      readers.add(reader);
      buffer(readers.size() - 1);
      boundsOf.add(reader.hasRoundingBounds() ? bounds.get(readers.size() - 1) : null);
    }
    List<Side> sides = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      TensorPair p = pairs.get(i);
      int base = tensors.indexOf(p.base());
      int finetuned = tensors.indexOf(p.finetuned());
      RoundingCheck check =
          RoundingCheck.of(p, boundsOf.get(base) != null, boundsOf.get(finetuned) != null);
      sides.add(new Side(p, base, finetuned, settings, workspace(i), probeWorkspace(i), check));
    }
    int[] counts = new int[readers.size()];
    for (long first = 0; ; first += CHUNK) {
      boolean any = false;
      for (int r = 0; r < readers.size(); r++) {
        counts[r] = readers.get(r).read(buffers.get(r), boundsOf.get(r));
        any |= counts[r] > 0;
      }
      if (!any) {
        break;
      }
      for (Side side : sides) {
        side.add(buffers, boundsOf, counts, first);
      }
    }
    return sides.stream().map(side -> side.result(settings)).toList();
  }

  private void buffer(int i) {
    while (buffers.size() <= i) {
      buffers.add(new double[CHUNK]);
      bounds.add(new double[CHUNK]);
    }
  }

  private GramAccumulator.Workspace workspace(int i) {
    while (workspaces.size() <= i) {
      workspaces.add(new GramAccumulator.Workspace());
    }
    return workspaces.get(i);
  }

  private RankProbe.Workspace probeWorkspace(int i) {
    while (probeWorkspaces.size() <= i) {
      probeWorkspaces.add(new RankProbe.Workspace());
    }
    return probeWorkspaces.get(i);
  }

  /** One comparison of a pass: which chunks it reads, its accumulator, its Gram when it has one. */
  private static final class Side {
    private final TensorPair pair;
    private final int base;
    private final int finetuned;
    private final DeltaAccumulator acc = new DeltaAccumulator();
    private final SpectrumSettings.Path path;
    private final GramAccumulator gram;
    private final RankProbe probe; // spectra off: the rank from a sketch; null when not probed
    private final RoundingCheck rounding; // null: not a float against a block type with bounds

    /**
     * @param base index of the base tensor's reader in the pass
     * @param finetuned index of the fine-tuned tensor's reader
     */
    Side(
        TensorPair pair,
        int base,
        int finetuned,
        SpectrumSettings settings,
        GramAccumulator.Workspace workspace,
        RankProbe.Workspace probeWorkspace,
        RoundingCheck rounding) {
      this.pair = pair;
      this.rounding = rounding;
      this.base = base;
      this.finetuned = finetuned;
      this.path = settings.pathFor(pair);
      if (path == SpectrumSettings.Path.LOCAL && !DeltaSpectra.isLowRank(pair)) {
        DeltaMatrix m = DeltaMatrix.of(pair);
        this.gram = new GramAccumulator(m.rows(), m.cols(), workspace);
      } else {
        this.gram = null;
      }
      this.probe = probes(pair, settings) ? probeOf(pair, probeWorkspace) : null;
    }

    /**
     * Spectra off, a matrix, and both sides of plain element types: a block-quantized side's
     * rounding floor hides any rank, as it does the spectrum's.
     */
    private static boolean probes(TensorPair pair, SpectrumSettings settings) {
      DeltaMatrix m = DeltaMatrix.of(pair);
      return !settings.enabled()
          && m != null
          && RankProbe.fits(m.rows(), m.cols())
          && !pair.base().dtype().isBlockQuantized()
          && !pair.finetuned().dtype().isBlockQuantized();
    }

    private static RankProbe probeOf(TensorPair pair, RankProbe.Workspace workspace) {
      DeltaMatrix m = DeltaMatrix.of(pair);
      return new RankProbe(m.rows(), m.cols(), workspace);
    }

    /** Adds the chunk that starts at element {@code first}, as far as this pair compares. */
    void add(List<double[]> chunks, List<double[]> bounds, int[] counts, long first) {
      int n = (int) Math.min(TensorComparison.CHUNK, Math.max(0, pair.elements() - first));
      if (n == 0) {
        return;
      }
      if (counts[base] < n || counts[finetuned] < n) {
        throw new IllegalStateException(
            pair.name()
                + ": sides ran out of step ("
                + counts[base]
                + " vs "
                + counts[finetuned]
                + " values, "
                + n
                + " expected)");
      }
      double[] a = chunks.get(base);
      double[] b = chunks.get(finetuned);
      acc.add(a, b, n);
      if (gram != null) {
        gram.add(a, b, n);
      }
      if (probe != null) {
        probe.add(a, b, n);
      }
      if (rounding != null) {
        rounding.add(a, b, bounds.get(rounding.quantizedIsBase() ? base : finetuned), n);
      }
    }

    TensorDelta result(SpectrumSettings settings) {
      DeltaMetrics metrics = acc.result();
      Long outside = rounding == null ? null : rounding.outside();
      Spectrum decided = DeltaSpectra.decided(pair, metrics, settings);
      if (decided != null || path == SpectrumSettings.Path.DISTRIBUTED) {
        // null: the distributed path computes it
        return new TensorDelta(metrics, decided, outside, probedRank(metrics));
      }
      double[] s = gram == null ? DeltaSpectra.lowRankSingularValues(pair) : gram.singularValues();
      return new TensorDelta(metrics, DeltaSpectra.of(pair, metrics, s, settings), outside, null);
    }

    // a delta with NaN or Inf has no rank, as it has no spectrum
    private Integer probedRank(DeltaMetrics metrics) {
      if (probe == null || metrics.nanCount() > 0 || metrics.infCount() > 0) {
        return null;
      }
      if (metrics.normFinetuned() == null) {
        return null;
      }
      return probe.rank(pair.finetuned().dtype().machineEpsilon(), metrics.normFinetuned());
    }
  }
}
