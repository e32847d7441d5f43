package io.deltascope.results;

import io.deltascope.tensor.DeltaMetrics;
import io.deltascope.tensor.Spectrum;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * One tensor name of a comparison, as the domain holds it: immutable, what every report, the
 * diagnosis and the gates read. {@link TensorMetricsRow} is its Spark bean at the Parquet edge
 * ({@link TensorMetricsRow#of}, {@link TensorMetricsRow#toResult}); {@link Metric} reads its values
 * through the accessors named as the columns, null where there is no value.
 *
 * @param name tensor name
 * @param layer decoder layer, null outside the stack
 * @param component attn_q, mlp_down, ...; other when unknown
 * @param status compared, shape_changed, only_in_base, only_in_finetuned, not_numeric
 * @param shapeBase shape in the base; null when absent there
 * @param shapeFinetuned shape in the fine-tune; null when absent there
 * @param dtypeBase stored type in the base
 * @param dtypeFinetuned stored type in the fine-tune
 * @param metrics the one-pass metrics; null where the tensor was not compared (only on one side,
 *     not numeric, reshaped beyond a vocabulary resize)
 * @param spectrum the spectrum's figures; null where none was asked for or computed yet
 * @param outsideRounding values of the float side outside the quantized side's rounding bound for
 *     their block; null when not checked (not a stored column: the diagnosis reads it)
 * @param rankProbe the delta's numerical rank from the fast scan's randomized sketch ({@code
 *     tensor.RankProbe}): exact up to 64, the sketch's size (72, or the smaller side) for "that or
 *     more"; null when not probed (spectra computed, not a matrix, a block-quantized side, too
 *     wide) or when the sketch could not vouch either way. Not a stored column: the diagnosis reads
 *     it when there is no spectrum
 */
public record TensorResult(
    String name,
    Integer layer,
    String component,
    String status,
    List<Long> shapeBase,
    List<Long> shapeFinetuned,
    String dtypeBase,
    String dtypeFinetuned,
    DeltaMetrics metrics,
    SpectrumFigures spectrum,
    Long outsideRounding,
    Integer rankProbe)
    implements Serializable {

  public TensorResult {
    shapeBase = shapeBase == null ? null : List.copyOf(shapeBase);
    shapeFinetuned = shapeFinetuned == null ? null : List.copyOf(shapeFinetuned);
  }

  /**
   * What a spectrum says, as a row holds it: its status, and when computed the method, the values
   * and the figures (null otherwise).
   *
   * @param status computed, zero_delta, non_finite, not_matrix, skipped, too_large
   * @param method gram (one task) or rowmatrix_gramian (MLlib, many tasks)
   * @param singularValues every singular value (the spectra table)
   * @param top the top k, descending
   * @param effectiveRank exp(H(s / sum s))
   * @param stableRank sum s^2 / s_max^2
   * @param numericalRank singular values above rank_floor
   * @param rankFloor storage and arithmetic noise floor
   * @param topKEnergyShare sum of the top k s^2 / sum s^2
   * @param spectralAlpha -slope of log s_i on log i
   */
  public record SpectrumFigures(
      String status,
      String method,
      List<Double> singularValues,
      List<Double> top,
      Double effectiveRank,
      Double stableRank,
      Integer numericalRank,
      Double rankFloor,
      Double topKEnergyShare,
      Double spectralAlpha)
      implements Serializable {

    public SpectrumFigures {
      singularValues = singularValues == null ? null : List.copyOf(singularValues);
      top = top == null ? null : List.copyOf(top);
    }

    /** The figures of {@code sp}, computed by {@code method}. */
    public static SpectrumFigures of(Spectrum sp, String method) {
      boolean computed = sp.isComputed();
      return new SpectrumFigures(
          sp.status().label(),
          computed ? method : null,
          computed ? boxed(sp.singularValues()) : null,
          computed ? boxed(sp.top()) : null,
          sp.effectiveRank(),
          sp.stableRank(),
          sp.numericalRank(),
          sp.rankFloor(),
          sp.topKEnergyShare(),
          sp.spectralAlpha());
    }

    private static List<Double> boxed(double[] values) {
      return Arrays.stream(values).boxed().toList();
    }
  }

  /** What is known of a tensor before its metrics: where it sits, its shapes and types. */
  public static TensorResult of(
      String name,
      Integer layer,
      String component,
      String status,
      List<Long> shapeBase,
      List<Long> shapeFinetuned,
      String dtypeBase,
      String dtypeFinetuned) {
    return new TensorResult(
        name,
        layer,
        component,
        status,
        shapeBase,
        shapeFinetuned,
        dtypeBase,
        dtypeFinetuned,
        null,
        null,
        null,
        null);
  }

  /** This tensor with a comparison's metrics (null: none). */
  public TensorResult withMetrics(DeltaMetrics m) {
    return new TensorResult(
        name,
        layer,
        component,
        status,
        shapeBase,
        shapeFinetuned,
        dtypeBase,
        dtypeFinetuned,
        m,
        spectrum,
        outsideRounding,
        rankProbe);
  }

  /** This tensor with a spectrum (only its status when there is none). */
  public TensorResult withSpectrum(Spectrum sp, String method) {
    return withSpectrum(SpectrumFigures.of(sp, method));
  }

  /** This tensor with a spectrum's figures (null: none). */
  public TensorResult withSpectrum(SpectrumFigures figures) {
    return new TensorResult(
        name,
        layer,
        component,
        status,
        shapeBase,
        shapeFinetuned,
        dtypeBase,
        dtypeFinetuned,
        metrics,
        figures,
        outsideRounding,
        rankProbe);
  }

  /** This tensor with the count of values outside the quantized side's rounding bound. */
  public TensorResult withOutsideRounding(Long outside) {
    return new TensorResult(
        name,
        layer,
        component,
        status,
        shapeBase,
        shapeFinetuned,
        dtypeBase,
        dtypeFinetuned,
        metrics,
        spectrum,
        outside,
        rankProbe);
  }

  /** This tensor with the fast scan's sketched rank (null: not probed). */
  public TensorResult withRankProbe(Integer rank) {
    return new TensorResult(
        name,
        layer,
        component,
        status,
        shapeBase,
        shapeFinetuned,
        dtypeBase,
        dtypeFinetuned,
        metrics,
        spectrum,
        outsideRounding,
        rank);
  }

  /** Whether it holds a comparison's metrics. */
  public boolean hasMetrics() {
    return metrics != null; // a tensor entirely NaN was compared, though it has no l2_distance
  }

  /** Whether it holds a spectrum's singular values. */
  public boolean hasSpectrum() {
    return singularValues() != null;
  }

  public Long nParams() {
    return metrics == null ? null : metrics.nParams();
  }

  public Double normBase() {
    return metrics == null ? null : metrics.normBase();
  }

  public Double normFinetuned() {
    return metrics == null ? null : metrics.normFinetuned();
  }

  public Double l2Distance() {
    return metrics == null ? null : metrics.l2Distance();
  }

  public Double relativeDelta() {
    return metrics == null ? null : metrics.relativeDelta();
  }

  public Double cosine() {
    return metrics == null ? null : metrics.cosine();
  }

  public Double maxAbsDiff() {
    return metrics == null ? null : metrics.maxAbsDiff();
  }

  public Double meanAbsDiff() {
    return metrics == null ? null : metrics.meanAbsDiff();
  }

  public Double rmse() {
    return metrics == null ? null : metrics.rmse();
  }

  public Double sparsity() {
    return metrics == null ? null : metrics.sparsity();
  }

  public Double zeroFraction() {
    return metrics == null ? null : metrics.zeroFraction();
  }

  public Long nanCount() {
    return metrics == null ? null : metrics.nanCount();
  }

  public Long infCount() {
    return metrics == null ? null : metrics.infCount();
  }

  public String spectrumStatus() {
    return spectrum == null ? null : spectrum.status();
  }

  public String spectrumMethod() {
    return spectrum == null ? null : spectrum.method();
  }

  public List<Double> singularValues() {
    return spectrum == null ? null : spectrum.singularValues();
  }

  public List<Double> singularValuesTop() {
    return spectrum == null ? null : spectrum.top();
  }

  public Double effectiveRank() {
    return spectrum == null ? null : spectrum.effectiveRank();
  }

  public Double stableRank() {
    return spectrum == null ? null : spectrum.stableRank();
  }

  public Integer numericalRank() {
    return spectrum == null ? null : spectrum.numericalRank();
  }

  public Double rankFloor() {
    return spectrum == null ? null : spectrum.rankFloor();
  }

  public Double topKEnergyShare() {
    return spectrum == null ? null : spectrum.topKEnergyShare();
  }

  public Double spectralAlpha() {
    return spectrum == null ? null : spectrum.spectralAlpha();
  }
}
