package io.deltascope.diagnosis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A fine-tune: its profile (how much the weights moved) and where the change went. */
final class FineTuneWords {
  private FineTuneWords() {}

  static Diagnosis write(PairRows p) {
    Double mean = p.meanRelativeDelta();
    Profile profile = Profile.of(mean);
    List<Finding> findings = new ArrayList<>();
    Findings.nonFinite(p, findings);
    // a GGUF side's rank floor comes from its quantized precision: every rank reads 0 there
    Finding lora = p.facts().quantized().isEmpty() ? LoraFinding.of(p) : null;
    if (lora != null) {
      findings.add(lora);
    } else {
      Finding unmeasured = MeasuredRank.notMeasured(p);
      if (unmeasured != null) {
        findings.add(unmeasured);
      }
    }
    Findings.structure(p, findings);
    Findings.vocabulary(p, findings);
    Findings.dtypes(p, findings);
    Findings.quantizedSides(p, findings);
    Findings.untouched(p, findings);
    Findings.norms(p, findings);
    Finding outlier = Findings.headAndEmbeddings(p, findings);
    Findings.balance(p, findings);
    Finding depth = Findings.depth(p, findings);
    Findings.sort(findings);
    return new Diagnosis(
        Kind.FINE_TUNE.label(),
        profile.label(),
        mean,
        p.meanOf(),
        summary(profile, mean, lora, outlier, depth, findings),
        List.copyOf(findings));
  }

  private static String summary(
      Profile profile,
      Double mean,
      Finding lora,
      Finding outlier,
      Finding depth,
      List<Finding> findings) {
    if (profile == Profile.UNKNOWN) {
      return "No 2-D weight tensor could be compared, so there is no profile.";
    }
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "%s %s fine-tune: the weight matrices moved by %s on average (relative change).",
            profile == Profile.EXTREME ? "An" : "A",
            profile.label(),
            Profile.printed(mean)));
    Finding nonFinite = Findings.first(findings, "non_finite");
    if (nonFinite != null) {
      s.append(' ').append(nonFinite.title()).append(": check the checkpoint before using it.");
    } else if (lora != null) {
      s.append(" Part of it looks like a ").append(Words.lowerFirst(lora.title())).append('.');
    } else if (outlier != null && outlier.severity().equals(Finding.WARNING)) {
      s.append(' ').append(outlier.title()).append(": look at it first.");
    } else if (depth != null && depth.severity().equals(Finding.NOTICE)) {
      s.append(' ').append(depth.title()).append('.');
    } else if (profile == Profile.EXTREME || profile == Profile.HEAVY) {
      s.append(" Expect behaviour to differ clearly from the base.");
    }
    return s.toString();
  }
}
