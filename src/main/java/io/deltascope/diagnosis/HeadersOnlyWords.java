package io.deltascope.diagnosis;

import java.util.ArrayList;
import java.util.List;

/** A structure-only run: only what the headers show, never what needs the values. */
final class HeadersOnlyWords {
  private HeadersOnlyWords() {}

  static Diagnosis write(PairRows p, Verdict verdict) {
    List<Finding> findings = new ArrayList<>();
    String what;
    if (verdict.kind() == Kind.UNRELATED) {
      UnrelatedWords.add(p, verdict, findings);
      what = "unrelated models (" + String.join("; ", verdict.reasons()) + ")";
    } else {
      Findings.structure(p, findings);
      Findings.vocabulary(p, findings);
      Findings.dtypes(p, findings);
      what =
          verdict.kind() == Kind.QUANTIZATION
              ? "a quantized side; how far its values drifted needs them read"
              : "the same tensor names and shapes"
                  + (p.result().structural().changeCount() == 0 ? "" : " apart from the findings")
                  + "; whether and how the values changed needs them read";
    }
    long sameShape = p.result().rows().stream().filter(r -> "compared".equals(r.status())).count();
    String summary =
        "Headers only, no tensor value read: "
            + Words.count(p.result().rows().size(), "tensor name")
            + ", "
            + sameShape
            + " of the same shape on both sides; "
            + what
            + ".";
    return Diagnoser.of(verdict.kind(), p, summary, findings);
  }
}
