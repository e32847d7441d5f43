package io.deltascope.results;

import java.io.Serializable;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;

/**
 * One row of the {@code logit_lens} table: one token's probability under the logit lens of one
 * model, prompt and layer, at the last position; the top-k tokens of every layer, and the tracked
 * tokens wherever they rank. Columns in {@link Tables#LOGIT_LENS_COLUMNS}.
 */
public class LogitLensRow implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Encoder<LogitLensRow> ENCODER = Encoders.bean(LogitLensRow.class);

  private int modelIndex; // 1 or 2: which of the compared models
  private String model; // the model's location
  private int promptIndex; // position in the prompt list
  private String prompt; // the prompt text
  private int layer; // -1 = embeddings, l = the output of block l
  private int rank; // 1 = most probable
  private long tokenId; // the token's id in this model's vocabulary
  private String token; // the token decoded
  private double prob; // softmax probability
  private boolean tracked; // a token the user asked to track

  public LogitLensRow() {}

  public int getModelIndex() {
    return modelIndex;
  }

  public void setModelIndex(int modelIndex) {
    this.modelIndex = modelIndex;
  }

  public String getModel() {
    return model;
  }

  public void setModel(String model) {
    this.model = model;
  }

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

  public int getLayer() {
    return layer;
  }

  public void setLayer(int layer) {
    this.layer = layer;
  }

  public int getRank() {
    return rank;
  }

  public void setRank(int rank) {
    this.rank = rank;
  }

  public long getTokenId() {
    return tokenId;
  }

  public void setTokenId(long tokenId) {
    this.tokenId = tokenId;
  }

  public String getToken() {
    return token;
  }

  public void setToken(String token) {
    this.token = token;
  }

  public double getProb() {
    return prob;
  }

  public void setProb(double prob) {
    this.prob = prob;
  }

  public boolean isTracked() {
    return tracked;
  }

  public void setTracked(boolean tracked) {
    this.tracked = tracked;
  }
}
