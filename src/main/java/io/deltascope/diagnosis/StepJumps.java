package io.deltascope.diagnosis;

import java.util.ArrayList;
import java.util.List;

/**
 * A checkpoint that jumps: a step whose headline mean relative change is at least {@link #RATIO}
 * times the median of the other steps. Needs three steps or more, so that "the others" has a
 * middle.
 */
final class StepJumps {
  static final double RATIO = 3.0;

  private StepJumps() {}

  static List<Finding> of(StepSeries steps) {
    double[] sizes = steps.headline();
    List<Finding> out = new ArrayList<>();
    if (sizes == null || steps.size() < 3) {
      return out;
    }
    for (int k = 0; k < sizes.length; k++) {
      double others = StepSeries.median(without(sizes, k));
      if (others > 0 && sizes[k] >= RATIO * others) {
        out.add(
            Finding.warning(
                "jump",
                "Step "
                    + steps.label(k)
                    + " is "
                    + StepSeries.number(sizes[k] / others)
                    + " times the median step",
                "mean relative change "
                    + StepSeries.number(sizes[k])
                    + " in step "
                    + steps.label(k)
                    + ", median "
                    + StepSeries.number(others)
                    + " over the other "
                    + (sizes.length - 1)
                    + " steps. A bad checkpoint, a change of data or of learning rate can each"
                    + " do this; these numbers do not say which."));
      }
    }
    return out;
  }

  private static double[] without(double[] values, int k) {
    double[] out = new double[values.length - 1];
    for (int i = 0, j = 0; i < values.length; i++) {
      if (i != k) {
        out[j++] = values[i];
      }
    }
    return out;
  }
}
