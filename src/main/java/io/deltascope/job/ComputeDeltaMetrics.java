package io.deltascope.job;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Locations;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.TensorComparison;
import io.deltascope.diff.TensorDelta;
import io.deltascope.diff.TensorPair;
import io.deltascope.diff.TensorRows;
import io.deltascope.results.TensorMetricsRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;

/**
 * Executor side of weight-diff: compares every pair of its partition's bins, opening each file once
 * per partition, and computes the spectra of the deltas that fit a task in the same pass. Holds
 * only accumulators and settings, so it serializes small.
 */
public final class ComputeDeltaMetrics
    implements FlatMapFunction<Iterator<List<TensorPair>>, TensorMetricsRow> {
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
  public Iterator<TensorMetricsRow> call(Iterator<List<TensorPair>> bins) {
    if (hadoop != null) {
      hadoop.apply();
    }
    List<TensorMetricsRow> rows = new ArrayList<>();
    Map<String, ByteSource> open = new HashMap<>();
    TensorComparison comparison = new TensorComparison();
    try {
      while (bins.hasNext()) {
        for (TensorPair pair : bins.next()) {
          TensorDelta delta =
              comparison.compare(
                  pair, file -> open.computeIfAbsent(file, Locations::open), spectra);
          TensorMetricsRow row = TensorRows.of(pair).withMetrics(delta.metrics());
          if (delta.spectrum() != null) {
            row.withSpectrum(delta.spectrum(), GRAM);
          }
          rows.add(row);
          tensorsDone.add(1);
          bytesDone.add(pair.bytesToRead());
        }
      }
    } finally {
      closeAll(open);
    }
    return rows.iterator();
  }

  private static void closeAll(Map<String, ByteSource> open) {
    for (ByteSource source : open.values()) {
      try {
        source.close();
      } catch (IOException e) {
        throw new UncheckedIOException(source.location() + ": cannot close", e);
      }
    }
  }
}
