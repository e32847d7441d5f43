package io.deltascope.diagnosis;

import io.deltascope.diff.Trajectory;
import io.deltascope.diff.TrajectoryResult;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.Metric;
import io.deltascope.results.TensorResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A trajectory's consecutive steps (k -> k+1) in order, and a metric's value per step over a group
 * of tensors: what the trajectory findings read.
 *
 * @param pairs the consecutive pairs
 * @param results their results, in the same order
 */
record StepSeries(List<Trajectory.Pair> pairs, List<WeightDiffResult> results) {

  static StepSeries of(TrajectoryResult result) {
    List<Trajectory.Pair> pairs = result.trajectory().consecutive();
    return new StepSeries(pairs, pairs.stream().map(result::of).toList());
  }

  int size() {
    return pairs.size();
  }

  /** "2 -> 3": step {@code k} as people read it. */
  String label(int k) {
    return pairs.get(k).from() + " -> " + pairs.get(k).to();
  }

  /** The headline mean relative change of each step; null when a step has none. */
  double[] headline() {
    double[] out = new double[size()];
    for (int k = 0; k < size(); k++) {
      Double m = results.get(k).summary().meanMatrixRelativeDelta();
      if (m == null) {
        return null;
      }
      out[k] = m;
    }
    return out;
  }

  /**
   * The aggregated relative change ({@link Metric#RELATIVE_DELTA}: ||B - A|| / ||A|| over the
   * group) of the tensors {@code which} picks, per step; 0 where a step has none of them.
   */
  double[] relativeChange(Predicate<TensorResult> which) {
    double[] out = new double[size()];
    for (int k = 0; k < size(); k++) {
      List<TensorResult> rows = results.get(k).compared().stream().filter(which).toList();
      Double v = Metric.RELATIVE_DELTA.aggregate(rows);
      out[k] = v == null ? 0 : v;
    }
    return out;
  }

  /** Components and layers that appear in the steps, in first-seen order. */
  List<String> components() {
    return distinct(r -> r.component());
  }

  List<Integer> layers() {
    List<Integer> layers = new ArrayList<>();
    for (WeightDiffResult r : results) {
      for (TensorResult row : r.compared()) {
        if (row.layer() != null && !layers.contains(row.layer())) {
          layers.add(row.layer());
        }
      }
    }
    layers.sort(null);
    return layers;
  }

  private List<String> distinct(java.util.function.Function<TensorResult, String> key) {
    List<String> out = new ArrayList<>();
    for (WeightDiffResult r : results) {
      for (TensorResult row : r.compared()) {
        String k = key.apply(row);
        if (k != null && !out.contains(k)) {
          out.add(k);
        }
      }
    }
    return out;
  }

  static double sum(double[] values) {
    return Arrays.stream(values).sum();
  }

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** Three significant digits, as the findings print numbers. */
  static String number(double v) {
    return String.format(Locale.ROOT, "%.3g", v);
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * share);
  }
}
