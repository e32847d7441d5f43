package io.deltascope.diff;

import io.deltascope.Fixtures;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.Locations;
import io.deltascope.results.TensorResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * weight-diff of two fixture models without Spark, as one executor task would compute it: for tests
 * of what is built from the rows (diagnosis, reports).
 */
public final class LocalDiff {
  private LocalDiff() {}

  public static WeightDiffResult of(String base, String finetuned) {
    return of(plan(base, finetuned));
  }

  /** The plan of two fixture models. */
  public static WeightDiffPlan plan(String base, String finetuned) {
    return WeightDiffPlan.of(
        Checkpoint.open(Fixtures.model(base).toString()),
        Checkpoint.open(Fixtures.model(finetuned).toString()));
  }

  /** Any two checkpoints, as {@link #of(String, String)} compares fixtures. */
  public static WeightDiffResult of(Checkpoint base, Checkpoint finetuned) {
    return of(WeightDiffPlan.of(base, finetuned));
  }

  /** The plan of two checkpoints anywhere (a folder, a .safetensors or a .gguf file). */
  public static WeightDiffPlan planOf(String base, String finetuned) {
    return WeightDiffPlan.of(Checkpoint.open(base), Checkpoint.open(finetuned));
  }

  public static WeightDiffResult of(WeightDiffPlan plan) {
    return of(plan, SpectrumSettings.DEFAULT);
  }

  /** The pair compared under {@code settings} ({@link SpectrumSettings#OFF}: the fast scan). */
  public static WeightDiffResult of(WeightDiffPlan plan, SpectrumSettings settings) {
    Map<String, ByteSource> open = new HashMap<>();
    TensorComparison comparison = new TensorComparison();
    List<TensorResult> rows = new ArrayList<>();
    try {
      for (TensorPair pair : plan.pairs()) {
        TensorDelta d =
            comparison.compare(pair, f -> open.computeIfAbsent(f, Locations::open), settings);
        rows.add(TensorRows.of(pair, d).withSpectrum(d.spectrum(), "gram"));
      }
    } finally {
      for (ByteSource s : open.values()) {
        try {
          s.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return WeightDiffResult.of(plan, rows);
  }
}
