package io.deltascope.diagnosis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A LoRA adapter, merged into the weights or applied unmerged over its base: every changed matrix
 * of low rank, everything else untouched. Its magnitude is reported as a number, never as a
 * fine-tune profile.
 */
final class LoraMergeWords {
  private LoraMergeWords() {}

  static Diagnosis write(PairRows p) {
    List<Finding> findings = new ArrayList<>();
    Findings.nonFinite(p, findings);
    Finding lora = LoraFinding.of(p);
    findings.add(lora);
    Findings.dtypes(p, findings);
    Findings.untouched(p, findings);
    Findings.norms(p, findings);
    Findings.balance(p, findings);
    Findings.depth(p, findings);
    String summary =
        String.format(
            Locale.ROOT,
            "%s: a %s, with everything else untouched (rank %d, target modules %s). The weight"
                + " matrices moved by %.4f on average (relative change): the adapter's magnitude,"
                + " not a fine-tune profile.",
            adapter(p.facts()),
            Words.lowerFirst(lora.title()),
            LoraFinding.rank(p),
            String.join(", ", LoraFinding.targets(p)),
            p.meanRelativeDelta());
    return Diagnoser.of(Kind.LORA_MERGE, p, summary, findings);
  }

  /** What the adapter is: its factors' stored type where it is applied unmerged. */
  private static String adapter(PairFacts facts) {
    if (!facts.unmergedAdapter()) {
      return "A merged LoRA adapter";
    }
    return "An unmerged LoRA adapter ("
        + String.join(", ", facts.adapterFactorTypes())
        + " factors) applied over its base";
  }
}
