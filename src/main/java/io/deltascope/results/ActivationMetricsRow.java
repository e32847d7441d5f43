package io.deltascope.results;

import java.io.Serializable;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;

/**
 * One row of the {@code activation_metrics} table: how alike the two models' residual streams are
 * on one prompt at one layer (-1 = embeddings, l = the output of block l). Columns in {@link
 * Tables#ACTIVATION_METRICS_COLUMNS}.
 */
public class ActivationMetricsRow implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Encoder<ActivationMetricsRow> ENCODER =
      Encoders.bean(ActivationMetricsRow.class);

  private int promptIndex; // position in the prompt list
  private String prompt; // the prompt text
  private int numTokens; // tokens of the prompt (the base's tokenizer)
  private int layer; // -1 = embeddings, l = the output of block l
  private double cosineLastToken; // cosine of the residuals at the last position
  private double cosineAllTokens; // cosine averaged over positions
  private double divergence; // 1 - cosineLastToken

  public ActivationMetricsRow() {}

  public int getPromptIndex() {
    return promptIndex;
  }

  public void setPromptIndex(int promptIndex) {
    this.promptIndex = promptIndex;
  }

  public String getPrompt() {
    return prompt;
  }

  public void setPrompt(String prompt) {
    this.prompt = prompt;
  }

  public int getNumTokens() {
    return numTokens;
  }

  public void setNumTokens(int numTokens) {
    this.numTokens = numTokens;
  }

  public int getLayer() {
    return layer;
  }

  public void setLayer(int layer) {
    this.layer = layer;
  }

  public double getCosineLastToken() {
    return cosineLastToken;
  }

  public void setCosineLastToken(double cosineLastToken) {
    this.cosineLastToken = cosineLastToken;
  }

  public double getCosineAllTokens() {
    return cosineAllTokens;
  }

  public void setCosineAllTokens(double cosineAllTokens) {
    this.cosineAllTokens = cosineAllTokens;
  }

  public double getDivergence() {
    return divergence;
  }

  public void setDivergence(double divergence) {
    this.divergence = divergence;
  }
}
