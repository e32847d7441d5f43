package io.deltascope.results;

import io.deltascope.checkpoint.TensorRole;
import io.deltascope.tensor.DeltaMetrics;
import java.io.Serializable;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;

/**
 * One row of the {@code tensor_metrics} table: one tensor name of a comparison, the Parquet edge of
 * the domain's {@link TensorResult} ({@link #of}, {@link #toResult}). A Java bean so that Spark
 * encodes it; metric fields are null where the tensor was not compared (only on one side, not
 * numeric, reshaped beyond a vocabulary resize). Columns are stored in snake case ({@link
 * Tables#TENSOR_METRICS_COLUMNS}).
 */
public class TensorMetricsRow implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Encoder<TensorMetricsRow> ENCODER = Encoders.bean(TensorMetricsRow.class);
  private String name; // tensor name
  private Integer layer; // decoder layer, -1 the embeddings, null for the rest outside the stack
  private String component; // attn_q, mlp_down, ...; other when unknown
  private String status; // compared, shape_changed, only_in_base, only_in_finetuned, not_numeric
  private java.util.List<Long> shapeBase; // shape in the base; null when absent there
  private java.util.List<Long> shapeFinetuned; // shape in the fine-tune; null when absent there
  private String dtypeBase; // stored type in the base
  private String dtypeFinetuned; // stored type in the fine-tune
  private Long nParams; // elements compared
  private Double normBase; // ||A||
  private Double normFinetuned; // ||B||
  private Double l2Distance; // ||B - A||
  private Double relativeDelta; // ||B - A|| / ||A||
  private Double cosine; // cosine of the flattened tensors
  private Double maxAbsDiff; // max |B - A|
  private Double meanAbsDiff; // mean |B - A|
  private Double rmse; // ||B - A|| / sqrt(n)
  private Double sparsity; // fraction with |B - A| < 1e-5
  private Double zeroFraction; // fraction exactly equal
  private Long nanCount; // positions where either side is NaN
  private Long infCount; // positions where either side is infinite
  private String spectrumStatus; // computed, zero_delta, non_finite, not_matrix, skipped, too_large
  private String spectrumMethod; // gram (one task) or rowmatrix_gramian (MLlib, many tasks)
  private java.util.List<Double> singularValues; // every singular value (the spectra table)
  private java.util.List<Double> singularValuesTop; // the top k, descending
  private Double effectiveRank; // exp(H(s / sum s))
  private Double stableRank; // sum s^2 / s_max^2
  private Integer numericalRank; // singular values above rank_floor
  private Double rankFloor; // storage and arithmetic noise floor
  private Double topKEnergyShare; // sum of the top k s^2 / sum s^2
  private Double spectralAlpha; // -slope of log s_i on log i
  // values outside the quantized side's rounding bound; null when not checked. Not a stored column:
  // the diagnosis reads it to tell a quantization from a quantized fine-tune
  private Long outsideRounding;

  public TensorMetricsRow() {}

  /** The bean of a domain record, for Spark's encoder (writing the store). */
  public static TensorMetricsRow of(TensorResult r) {
    TensorMetricsRow row = new TensorMetricsRow();
    row.name = r.name();
    row.layer = TensorRole.numbered(r.layer(), r.component());
    row.component = r.component();
    row.status = r.status();
    row.shapeBase = r.shapeBase();
    row.shapeFinetuned = r.shapeFinetuned();
    row.dtypeBase = r.dtypeBase();
    row.dtypeFinetuned = r.dtypeFinetuned();
    row.nParams = r.nParams();
    row.normBase = r.normBase();
    row.normFinetuned = r.normFinetuned();
    row.l2Distance = r.l2Distance();
    row.relativeDelta = r.relativeDelta();
    row.cosine = r.cosine();
    row.maxAbsDiff = r.maxAbsDiff();
    row.meanAbsDiff = r.meanAbsDiff();
    row.rmse = r.rmse();
    row.sparsity = r.sparsity();
    row.zeroFraction = r.zeroFraction();
    row.nanCount = r.nanCount();
    row.infCount = r.infCount();
    row.spectrumStatus = r.spectrumStatus();
    row.spectrumMethod = r.spectrumMethod();
    row.singularValues = r.singularValues();
    row.singularValuesTop = r.singularValuesTop();
    row.effectiveRank = r.effectiveRank();
    row.stableRank = r.stableRank();
    row.numericalRank = r.numericalRank();
    row.rankFloor = r.rankFloor();
    row.topKEnergyShare = r.topKEnergyShare();
    row.spectralAlpha = r.spectralAlpha();
    row.outsideRounding = r.outsideRounding();
    return row;
  }

  /** The domain record of this bean (read from the store). */
  public TensorResult toResult() {
    TensorResult header =
        TensorResult.of(
            name,
            TensorRole.block(layer),
            component,
            status,
            shapeBase,
            shapeFinetuned,
            dtypeBase,
            dtypeFinetuned);
    DeltaMetrics metrics =
        nParams == null
            ? null
            : new DeltaMetrics(
                nParams,
                normBase,
                normFinetuned,
                l2Distance,
                relativeDelta,
                cosine,
                maxAbsDiff,
                meanAbsDiff,
                sparsity,
                zeroFraction,
                nanCount,
                infCount);
    TensorResult.SpectrumFigures spectrum =
        spectrumStatus == null
            ? null
            : new TensorResult.SpectrumFigures(
                spectrumStatus,
                spectrumMethod,
                singularValues,
                singularValuesTop,
                effectiveRank,
                stableRank,
                numericalRank,
                rankFloor,
                topKEnergyShare,
                spectralAlpha);
    return header.withMetrics(metrics).withSpectrum(spectrum).withOutsideRounding(outsideRounding);
  }

  /** Whether the spectrum fields hold a spectrum (the spectra table's rows). */
  public boolean hasSpectrum() {
    return singularValues != null;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getLayer() {
    return layer;
  }

  public void setLayer(Integer layer) {
    this.layer = layer;
  }

  public String getComponent() {
    return component;
  }

  public void setComponent(String component) {
    this.component = component;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public java.util.List<Long> getShapeBase() {
    return shapeBase;
  }

  public void setShapeBase(java.util.List<Long> shapeBase) {
    this.shapeBase = shapeBase;
  }

  public java.util.List<Long> getShapeFinetuned() {
    return shapeFinetuned;
  }

  public void setShapeFinetuned(java.util.List<Long> shapeFinetuned) {
    this.shapeFinetuned = shapeFinetuned;
  }

  public String getDtypeBase() {
    return dtypeBase;
  }

  public void setDtypeBase(String dtypeBase) {
    this.dtypeBase = dtypeBase;
  }

  public String getDtypeFinetuned() {
    return dtypeFinetuned;
  }

  public void setDtypeFinetuned(String dtypeFinetuned) {
    this.dtypeFinetuned = dtypeFinetuned;
  }

  public Long getNParams() {
    return nParams;
  }

  public void setNParams(Long nParams) {
    this.nParams = nParams;
  }

  public Double getNormBase() {
    return normBase;
  }

  public void setNormBase(Double normBase) {
    this.normBase = normBase;
  }

  public Double getNormFinetuned() {
    return normFinetuned;
  }

  public void setNormFinetuned(Double normFinetuned) {
    this.normFinetuned = normFinetuned;
  }

  public Double getL2Distance() {
    return l2Distance;
  }

  public void setL2Distance(Double l2Distance) {
    this.l2Distance = l2Distance;
  }

  public Double getRelativeDelta() {
    return relativeDelta;
  }

  public void setRelativeDelta(Double relativeDelta) {
    this.relativeDelta = relativeDelta;
  }

  public Double getCosine() {
    return cosine;
  }

  public void setCosine(Double cosine) {
    this.cosine = cosine;
  }

  public Double getMaxAbsDiff() {
    return maxAbsDiff;
  }

  public void setMaxAbsDiff(Double maxAbsDiff) {
    this.maxAbsDiff = maxAbsDiff;
  }

  public Double getMeanAbsDiff() {
    return meanAbsDiff;
  }

  public void setMeanAbsDiff(Double meanAbsDiff) {
    this.meanAbsDiff = meanAbsDiff;
  }

  public Double getRmse() {
    return rmse;
  }

  public void setRmse(Double rmse) {
    this.rmse = rmse;
  }

  public Double getSparsity() {
    return sparsity;
  }

  public void setSparsity(Double sparsity) {
    this.sparsity = sparsity;
  }

  public Double getZeroFraction() {
    return zeroFraction;
  }

  public void setZeroFraction(Double zeroFraction) {
    this.zeroFraction = zeroFraction;
  }

  public Long getNanCount() {
    return nanCount;
  }

  public void setNanCount(Long nanCount) {
    this.nanCount = nanCount;
  }

  public Long getInfCount() {
    return infCount;
  }

  public void setInfCount(Long infCount) {
    this.infCount = infCount;
  }

  public String getSpectrumStatus() {
    return spectrumStatus;
  }

  public void setSpectrumStatus(String spectrumStatus) {
    this.spectrumStatus = spectrumStatus;
  }

  public String getSpectrumMethod() {
    return spectrumMethod;
  }

  public void setSpectrumMethod(String spectrumMethod) {
    this.spectrumMethod = spectrumMethod;
  }

  public java.util.List<Double> getSingularValues() {
    return singularValues;
  }

  public void setSingularValues(java.util.List<Double> singularValues) {
    this.singularValues = singularValues;
  }

  public java.util.List<Double> getSingularValuesTop() {
    return singularValuesTop;
  }

  public void setSingularValuesTop(java.util.List<Double> singularValuesTop) {
    this.singularValuesTop = singularValuesTop;
  }

  public Double getEffectiveRank() {
    return effectiveRank;
  }

  public void setEffectiveRank(Double effectiveRank) {
    this.effectiveRank = effectiveRank;
  }

  public Double getStableRank() {
    return stableRank;
  }

  public void setStableRank(Double stableRank) {
    this.stableRank = stableRank;
  }

  public Integer getNumericalRank() {
    return numericalRank;
  }

  public void setNumericalRank(Integer numericalRank) {
    this.numericalRank = numericalRank;
  }

  public Double getRankFloor() {
    return rankFloor;
  }

  public void setRankFloor(Double rankFloor) {
    this.rankFloor = rankFloor;
  }

  public Double getTopKEnergyShare() {
    return topKEnergyShare;
  }

  public void setTopKEnergyShare(Double topKEnergyShare) {
    this.topKEnergyShare = topKEnergyShare;
  }

  public Long getOutsideRounding() {
    return outsideRounding;
  }

  public void setOutsideRounding(Long outsideRounding) {
    this.outsideRounding = outsideRounding;
  }

  public Double getSpectralAlpha() {
    return spectralAlpha;
  }

  public void setSpectralAlpha(Double spectralAlpha) {
    this.spectralAlpha = spectralAlpha;
  }
}
