package io.deltascope.report;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What quantization did to one component's tensors: their squared error and elements (for the
 * RMSE), the lowest cosine, the stored types. The terminal's and the HTML report's quantization
 * views both add their tensors up with it.
 */
public final class QuantizationDrift {
  private double squaredError;
  private long params;
  private Double minCosine;
  private final TreeSet<String> types = new TreeSet<>();

  /**
   * @param l2 ||B - A|| of the tensor, null when it has none
   * @param nParams its elements compared
   * @param cosine its cosine, null when it has none
   * @param type its stored type as the view shows it ({@link #type}), null when unknown
   */
  public void add(Double l2, long nParams, Double cosine, String type) {
    if (l2 != null) {
      squaredError += l2 * l2;
      params += nParams;
    }
    if (cosine != null && (minCosine == null || cosine < minCosine)) {
      minCosine = cosine;
    }
    if (type != null) {
      types.add(type);
    }
  }

  /** sqrt(sum l2^2 / sum elements) over the tensors with a distance; null without any. */
  public Double rmse() {
    return params == 0 ? null : Math.sqrt(squaredError / params);
  }

  public Double minCosine() {
    return minCosine;
  }

  public SortedSet<String> types() {
    return Collections.unmodifiableSortedSet(types);
  }

  /**
   * The stored type a quantization view shows for a tensor: "BF16>Q4_0" when both sides are
   * quantized, else the quantized side's.
   */
  public static String type(
      String dtypeBase, String dtypeFinetuned, boolean finetunedQuantized, boolean bothQuantized) {
    if (bothQuantized) {
      return dtypeBase + ">" + dtypeFinetuned;
    }
    return finetunedQuantized ? dtypeFinetuned : dtypeBase;
  }
}
