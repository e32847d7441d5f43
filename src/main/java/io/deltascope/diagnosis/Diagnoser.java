package io.deltascope.diagnosis;

import java.util.List;

/** Decides the pair's kind first, then lets that kind's words describe it. */
final class Diagnoser {
  private Diagnoser() {}

  static Diagnosis diagnose(PairRows rows) {
    Verdict verdict = KindRule.decide(rows);
    if (!rows.valuesRead()) {
      return HeadersOnlyWords.write(rows, verdict);
    }
    return switch (verdict.kind()) {
      case IDENTICAL -> IdenticalWords.write(rows);
      case QUANTIZATION -> QuantizationWords.write(rows);
      case LORA_MERGE -> LoraMergeWords.write(rows);
      case UNRELATED -> UnrelatedWords.write(rows, verdict);
      case FINE_TUNE -> FineTuneWords.write(rows);
    };
  }

  /** A diagnosis of {@code kind} without a fine-tune profile. */
  static Diagnosis of(Kind kind, PairRows rows, String summary, List<Finding> findings) {
    Findings.sort(findings);
    return new Diagnosis(
        kind == null ? null : kind.label(),
        null,
        rows.meanRelativeDelta(),
        rows.meanOf(),
        summary,
        List.copyOf(findings));
  }
}
