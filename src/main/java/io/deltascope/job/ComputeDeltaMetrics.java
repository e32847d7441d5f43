package io.deltascope.job;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Locations;
import io.deltascope.diff.FanOut;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.TensorComparison;
import io.deltascope.diff.TensorDelta;
import io.deltascope.diff.TensorRows;
import io.deltascope.results.TensorResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;

/**
 * Executor side of weight-diff: compares every unit of its partition's bins, opening each file once
 * per partition, and computes the spectra of the deltas that fit a task in the same pass. A unit
 * that fails (an unreadable range) fails its plans, not the job. Holds only accumulators and
 * settings, so it serializes small.
 */
public final class ComputeDeltaMetrics implements FlatMapFunction<Iterator<List<FanOut>>, PairRow> {
  private static final long serialVersionUID = 1L;

  /** spectrum_method of spectra computed here: the Gram in one task, LAPACK's dsyevd. */
  public static final String GRAM = "gram";

  private final LongAccumulator tensorsDone;
  private final LongAccumulator bytesDone;
  private final HadoopSettings hadoop;
  private final SpectrumSettings spectra;

  /**
   * @param hadoop the driver's file system settings, for executors reading remote files; null when
   *     every file is local
   * @param spectra whether and how to compute the spectra in the same pass
   */
  public ComputeDeltaMetrics(
      LongAccumulator tensorsDone,
      LongAccumulator bytesDone,
      HadoopSettings hadoop,
      SpectrumSettings spectra) {
    this.tensorsDone = tensorsDone;
    this.bytesDone = bytesDone;
    this.hadoop = hadoop;
    this.spectra = spectra;
  }

  @Override
  public Iterator<PairRow> call(Iterator<List<FanOut>> bins) {
    if (hadoop != null) {
      hadoop.apply();
    }
    List<PairRow> rows = new ArrayList<>();
    Map<String, ByteSource> open = new HashMap<>();
    TensorComparison comparison = new TensorComparison();
    try {
      while (bins.hasNext()) {
        for (FanOut unit : bins.next()) {
          compare(unit, comparison, open, rows);
        }
      }
    } finally {
      closeAll(open);
    }
    return rows.iterator();
  }

  private void compare(
      FanOut unit, TensorComparison comparison, Map<String, ByteSource> open, List<PairRow> rows) {
    try {
      List<TensorDelta> deltas =
          comparison.compareAll(
              unit.pairs(), file -> open.computeIfAbsent(file, Locations::open), spectra);
      for (int i = 0; i < deltas.size(); i++) {
        FanOut.Target target = unit.targets().get(i);
        TensorResult row = TensorRows.of(target.pair(), deltas.get(i));
        if (deltas.get(i).spectrum() != null) {
          row = row.withSpectrum(deltas.get(i).spectrum(), GRAM);
        }
        rows.add(new PairRow(target.plan(), row, null));
      }
    } catch (RuntimeException e) {
      String error =
          e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      for (FanOut.Target target : unit.targets()) {
        rows.add(new PairRow(target.plan(), null, error));
      }
    }
    tensorsDone.add(unit.targets().size());
    bytesDone.add(unit.bytesToRead());
  }

  private static void closeAll(Map<String, ByteSource> open) {
    for (ByteSource source : open.values()) {
      try {
        source.close();
      } catch (IOException e) {
        // read-only files: nothing was lost; the rows are already computed
      }
    }
  }
}
