package io.deltascope.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diagnosis.Finding;
import io.deltascope.diff.LocalDiff;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A diagnosis read back from the JSON a run stored is the diagnosis that was written: the stored
 * report renders it as the command did.
 */
class DiagnosisJsonTest {
  @Test
  void aDiagnosisReadBackIsTheOneWritten() throws Exception {
    for (String finetuned : List.of("llama-sft", "llama-lora-merged", "llama-sft-resized")) {
      Diagnosis written = Diagnosis.of(LocalDiff.of("llama-base", finetuned));
      assertThat(written.findings()).as(finetuned).isNotEmpty();
      String stored = JsonReport.diagnosis(written).toString(); // as the runs table holds it
      assertThat(JsonReport.readDiagnosis(JsonReport.MAPPER.readTree(stored)))
          .as(finetuned)
          .isEqualTo(written);
    }
  }

  @Test
  void missingValuesStayMissing() throws Exception {
    Diagnosis unknown =
        new Diagnosis(
            null,
            null,
            null,
            "no 2-D tensors",
            "nothing compared",
            List.of(new Finding("structure", Finding.INFO, "headers only", "0 tensors")));
    String stored = JsonReport.diagnosis(unknown).toString();
    assertThat(JsonReport.readDiagnosis(JsonReport.MAPPER.readTree(stored))).isEqualTo(unknown);
  }
}
