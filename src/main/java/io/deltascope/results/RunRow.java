package io.deltascope.results;

import io.deltascope.checkpoint.Redaction;
import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;

/** One row of the {@code runs} table: one comparison run, written last, as its commit marker. */
public class RunRow implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Encoder<RunRow> ENCODER = Encoders.bean(RunRow.class);

  private String runId;
  private String pair; // the pair's name in a batch; null for a single run
  private String batchId; // the batch that wrote this run; null for a single run
  private Integer stepFrom; // a trajectory pair's base checkpoint index; null outside trajectories
  private Integer stepTo; // a trajectory pair's later checkpoint index; null outside trajectories
  private String command; // weight-diff, activation-diff, compare, ...
  private String base;
  private String finetuned;
  private Timestamp startedAt;
  private Timestamp finishedAt;
  private String toolVersion;
  private String options; // the run's options as JSON
  private String status; // succeeded or failed
  private String error; // the one-line error of a failed run
  private String profile; // the diagnosis profile (weight-diff), else null
  private Double meanRelativeDelta; // the headline mean relative change (weight-diff), else null
  private String kind; // what the pair is (identical, quantization, ...) (weight-diff), else null
  private String diagnosis; // the run's diagnosis as JSON (weight-diff), else null
  // rows the run wrote per table (table -> count), set by the store as it writes the run
  private java.util.Map<String, Long> rowCounts;

  public RunRow() {}

  /** Its text columns without the secrets of the running command, as they may be stored. */
  public void redactSecrets() {
    Redaction redaction = Redaction.current();
    command = redaction.text(command);
    base = redaction.text(base);
    finetuned = redaction.text(finetuned);
    options = redaction.text(options);
    error = redaction.text(error);
  }

  public String getRunId() {
    return runId;
  }

  public void setRunId(String runId) {
    this.runId = runId;
  }

  public String getPair() {
    return pair;
  }

  public void setPair(String pair) {
    this.pair = pair;
  }

  public String getBatchId() {
    return batchId;
  }

  public void setBatchId(String batchId) {
    this.batchId = batchId;
  }

  public Integer getStepFrom() {
    return stepFrom;
  }

  public void setStepFrom(Integer stepFrom) {
    this.stepFrom = stepFrom;
  }

  public Integer getStepTo() {
    return stepTo;
  }

  public void setStepTo(Integer stepTo) {
    this.stepTo = stepTo;
  }

  public String getCommand() {
    return command;
  }

  public void setCommand(String command) {
    this.command = command;
  }

  public String getBase() {
    return base;
  }

  public void setBase(String base) {
    this.base = base;
  }

  public String getFinetuned() {
    return finetuned;
  }

  public void setFinetuned(String finetuned) {
    this.finetuned = finetuned;
  }

  public Timestamp getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(Timestamp startedAt) {
    this.startedAt = startedAt;
  }

  public Timestamp getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(Timestamp finishedAt) {
    this.finishedAt = finishedAt;
  }

  public String getToolVersion() {
    return toolVersion;
  }

  public void setToolVersion(String toolVersion) {
    this.toolVersion = toolVersion;
  }

  public String getOptions() {
    return options;
  }

  public void setOptions(String options) {
    this.options = options;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getError() {
    return error;
  }

  public void setError(String error) {
    this.error = error;
  }

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getDiagnosis() {
    return diagnosis;
  }

  public void setDiagnosis(String diagnosis) {
    this.diagnosis = diagnosis;
  }

  public String getProfile() {
    return profile;
  }

  public void setProfile(String profile) {
    this.profile = profile;
  }

  public Double getMeanRelativeDelta() {
    return meanRelativeDelta;
  }

  public void setMeanRelativeDelta(Double meanRelativeDelta) {
    this.meanRelativeDelta = meanRelativeDelta;
  }

  public java.util.Map<String, Long> getRowCounts() {
    return rowCounts;
  }

  public void setRowCounts(java.util.Map<String, Long> rowCounts) {
    this.rowCounts = rowCounts;
  }
}
