package io.deltascope.results;

import java.io.Serializable;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;

/**
 * One row of the {@code token_metrics} table: how the two models' next-token distributions differ
 * at one position of one prompt or window (logit-diff). Columns in {@link
 * Tables#TOKEN_METRICS_COLUMNS}.
 */
public class TokenMetricsRow implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Encoder<TokenMetricsRow> ENCODER = Encoders.bean(TokenMetricsRow.class);

  private int promptIndex; // position in the prompt list, or the window's index
  private int position; // 0-based position; its distribution is over the token after it
  private long tokenId; // the token at this position
  private String token; // its text (the tokenizer's token string)
  private Long nextTokenId; // the actual next token; null at the last position
  private String nextToken; // its text; null at the last position
  private double klDivergence; // KL(P || Q) in nats, base P, fine-tune Q
  private int top1Base; // the base's most probable next token
  private int top1Finetuned; // the fine-tune's
  private boolean top1Agree; // whether they are the same
  private Double logprobBase; // log P(actual next token); null at the last position
  private Double logprobFinetuned; // log Q(actual next token); null at the last position
  private java.util.List<Integer>
      topIdsBase; // the base's top-k ids; null unless a position of largest KL
  private java.util.List<Double> topProbsBase; // their probabilities
  private java.util.List<Integer> topIdsFinetuned; // the fine-tune's top-k ids; likewise
  private java.util.List<Double> topProbsFinetuned; // their probabilities

  public TokenMetricsRow() {}

  public int getPromptIndex() {
    return promptIndex;
  }

  public void setPromptIndex(int promptIndex) {
    this.promptIndex = promptIndex;
  }

  public int getPosition() {
    return position;
  }

  public void setPosition(int position) {
    this.position = position;
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

  public Long getNextTokenId() {
    return nextTokenId;
  }

  public void setNextTokenId(Long nextTokenId) {
    this.nextTokenId = nextTokenId;
  }

  public String getNextToken() {
    return nextToken;
  }

  public void setNextToken(String nextToken) {
    this.nextToken = nextToken;
  }

  public double getKlDivergence() {
    return klDivergence;
  }

  public void setKlDivergence(double klDivergence) {
    this.klDivergence = klDivergence;
  }

  public int getTop1Base() {
    return top1Base;
  }

  public void setTop1Base(int top1Base) {
    this.top1Base = top1Base;
  }

  public int getTop1Finetuned() {
    return top1Finetuned;
  }

  public void setTop1Finetuned(int top1Finetuned) {
    this.top1Finetuned = top1Finetuned;
  }

  public boolean isTop1Agree() {
    return top1Agree;
  }

  public void setTop1Agree(boolean top1Agree) {
    this.top1Agree = top1Agree;
  }

  public Double getLogprobBase() {
    return logprobBase;
  }

  public void setLogprobBase(Double logprobBase) {
    this.logprobBase = logprobBase;
  }

  public Double getLogprobFinetuned() {
    return logprobFinetuned;
  }

  public void setLogprobFinetuned(Double logprobFinetuned) {
    this.logprobFinetuned = logprobFinetuned;
  }

  public java.util.List<Integer> getTopIdsBase() {
    return topIdsBase;
  }

  public void setTopIdsBase(java.util.List<Integer> topIdsBase) {
    this.topIdsBase = topIdsBase;
  }

  public java.util.List<Double> getTopProbsBase() {
    return topProbsBase;
  }

  public void setTopProbsBase(java.util.List<Double> topProbsBase) {
    this.topProbsBase = topProbsBase;
  }

  public java.util.List<Integer> getTopIdsFinetuned() {
    return topIdsFinetuned;
  }

  public void setTopIdsFinetuned(java.util.List<Integer> topIdsFinetuned) {
    this.topIdsFinetuned = topIdsFinetuned;
  }

  public java.util.List<Double> getTopProbsFinetuned() {
    return topProbsFinetuned;
  }

  public void setTopProbsFinetuned(java.util.List<Double> topProbsFinetuned) {
    this.topProbsFinetuned = topProbsFinetuned;
  }
}
