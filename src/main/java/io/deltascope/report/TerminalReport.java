package io.deltascope.report;

import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diagnosis.Finding;
import io.deltascope.diagnosis.PairFacts;
import io.deltascope.diff.ComponentDelta;
import io.deltascope.diff.QuantizedFile;
import io.deltascope.diff.Structural;
import io.deltascope.diff.Summary;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.Metric;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The weight-diff result as the terminal table people read first. */
public final class TerminalReport {
  /** Relative changes above this are marked with "***". */
  public static final double HIGHLIGHT = 0.1;

  private TerminalReport() {}

  public static String weightDiff(WeightDiffResult result, int topN) {
    return weightDiff(result, topN, List.of());
  }

  /**
   * The report; with the quantization view in place of the component table when a side is a GGUF
   * file ({@code quantized} not empty).
   */
  public static String weightDiff(
      WeightDiffResult result, int topN, List<QuantizedFile> quantized) {
    return weightDiff(
        result, topN, quantized, Diagnosis.of(result, PairFacts.quantized(quantized)));
  }

  /** The report, ending with the diagnosis (computed once by the caller). */
  public static String weightDiff(
      WeightDiffResult result, int topN, List<QuantizedFile> quantized, Diagnosis diagnosis) {
    return weightDiff(result, topN, quantized, diagnosis, TensorListing.DEFAULT);
  }

  /** The report with the per-tensor table as {@code tensors} asks. */
  public static String weightDiff(
      WeightDiffResult result,
      int topN,
      List<QuantizedFile> quantized,
      Diagnosis diagnosis,
      TensorListing tensors) {
    StringBuilder out = new StringBuilder();
    out.append("Base:      ").append(result.base()).append('\n');
    out.append("Finetuned: ").append(result.finetuned()).append("\n\n");
    if (quantized.isEmpty()) {
      if (LayerMatrix.fits(result)) {
        LayerMatrix.render(out, result);
      } else {
        components(out, result);
      }
      top(out, result, topN);
      if (tensors.showsFor(result)) {
        tensors.render(out, result);
      }
    } else {
      QuantizationView.files(out, quantized);
      QuantizationView.layers(out, result, quantized);
      QuantizationView.worstTensors(out, result, topN);
    }
    structural(out, result.structural());
    summary(out, result.summary());
    diagnosis(out, diagnosis);
    return out.toString();
  }

  private static void components(StringBuilder out, WeightDiffResult result) {
    out.append(String.format(Locale.ROOT, "%-8s %-16s %10s%n", "Layer", "Component", "Rel. Diff"));
    out.append("-".repeat(36)).append('\n');
    for (ComponentDelta c : result.components()) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-8s %-16s %10s%s%n",
              c.layer() == null ? "-" : c.layer(),
              c.component(),
              number(c.relativeDelta()),
              c.relativeDelta() != null && c.relativeDelta() > HIGHLIGHT ? " ***" : ""));
    }
  }

  private static void top(StringBuilder out, WeightDiffResult result, int topN) {
    List<ComponentDelta> top =
        result.components().stream()
            .filter(c -> c.relativeDelta() != null)
            .sorted(Comparator.comparingDouble(ComponentDelta::relativeDelta).reversed())
            .limit(topN)
            .toList();
    out.append(String.format(Locale.ROOT, "%nTop %d divergent components:%n", top.size()));
    for (ComponentDelta c : top) {
      out.append("  ")
          .append(c.label())
          .append(": ")
          .append(number(c.relativeDelta()))
          .append('\n');
    }
  }

  private static void diagnosis(StringBuilder out, Diagnosis d) {
    out.append('\n').append("Diagnosis: ").append(d.kind() == null ? "kind unknown" : d.kind());
    if (d.profile() != null) {
      out.append(", ").append(d.profile());
    }
    if (d.meanRelativeDelta() != null) {
      out.append(" (").append(number(d.meanRelativeDelta())).append(", ").append(d.meanOf());
      out.append(')');
    }
    out.append('\n');
    findings(out, d);
  }

  private static void findings(StringBuilder out, Diagnosis d) {
    out.append("  ").append(d.summary()).append('\n');
    for (Finding f : d.findings()) {
      out.append(String.format(Locale.ROOT, "  [%-7s] %s%n", f.severity(), f.title()));
      out.append("            ").append(f.detail()).append('\n');
    }
  }

  /** The header-only view: what differs in names, shapes and dtypes, no values read. */
  public static String structureOnly(WeightDiffResult result) {
    return structureOnly(result, Diagnosis.of(result));
  }

  /** The header-only view with what the headers say the pair is. */
  public static String structureOnly(WeightDiffResult result, Diagnosis diagnosis) {
    StringBuilder out = new StringBuilder();
    out.append("Base:      ").append(result.base()).append('\n');
    out.append("Finetuned: ").append(result.finetuned()).append('\n');
    out.append("(structure only: compared from headers, no tensor values read)\n");
    structural(out, result.structural());
    long sameShape = result.rows().stream().filter(r -> "compared".equals(r.status())).count();
    out.append(
        String.format(
            Locale.ROOT,
            "%nSummary%n  tensor names:        %d%n  same shape on both sides: %d%n"
                + "  structural changes:  %d%n",
            result.rows().size(),
            sameShape,
            result.structural().changeCount()));
    out.append('\n').append("Diagnosis (headers): ");
    out.append(diagnosis.kind() == null ? "kind unknown" : diagnosis.kind()).append('\n');
    findings(out, diagnosis);
    return out.toString();
  }

  private static void structural(StringBuilder out, Structural s) {
    out.append('\n').append("Structural changes: ").append(s.changeCount()).append('\n');
    s.onlyInBase().forEach(n -> out.append("  removed     ").append(n).append('\n'));
    s.onlyInFinetuned().forEach(n -> out.append("  added       ").append(n).append('\n'));
    for (Structural.ShapeChange c : s.shapeChanged()) {
      out.append("  reshaped    ")
          .append(c.name())
          .append(' ')
          .append(c.shapeBase())
          .append(" -> ")
          .append(c.shapeFinetuned());
      if (c.metricsOnCommonRows() != null) {
        out.append(
            String.format(
                Locale.ROOT,
                " (common %d rows: rel. diff %s)",
                c.commonRows(),
                number(c.metricsOnCommonRows().relativeDelta())));
      }
      out.append('\n');
    }
    // a retype is one line per kind of change ("39 tensors BF16 -> F32"), never per tensor
    QuantizationView.retypes(out, s.dtypeChanged());
    for (Structural.Tied t : s.tied()) {
      out.append("  tied        ")
          .append(t.name())
          .append(" = ")
          .append(t.tiedTo())
          .append(" (")
          .append(t.side())
          .append(")\n");
    }
  }

  private static void summary(StringBuilder out, Summary s) {
    out.append('\n').append("Summary\n");
    out.append(
        String.format(
            Locale.ROOT,
            "  tensors compared:    %d of %d (%s parameters)%n",
            s.tensorsCompared(),
            s.tensorsTotal(),
            count(s.paramsCompared())));
    out.append(String.format(Locale.ROOT, "  unchanged tensors:   %d%n", s.unchangedTensors()));
    out.append(String.format(Locale.ROOT, "  structural changes:  %d%n", s.structuralChanges()));
    out.append("  mean relative change: ")
        .append(number(s.meanMatrixRelativeDelta()))
        .append(" (over ")
        .append(s.matricesAveraged())
        .append(" weight matrices)\n");
    for (Summary.Total t : Summary.Total.values()) {
      out.append(String.format(Locale.ROOT, "  %-22s", t.label() + ":"))
          .append(number(t.of(s)))
          .append('\n');
    }
    if (s.mostChanged() != null) {
      out.append("  most changed:         ")
          .append(s.mostChanged())
          .append(" (")
          .append(number(s.maxRelativeDelta()))
          .append(")\n");
    }
    if (s.nanCount() > 0 || s.infCount() > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "  non-finite values:    %d NaN, %d Inf positions%n",
              s.nanCount(),
              s.infCount()));
    }
  }

  /** A metric's value as its registry entry says it prints. */
  static String format(Metric metric, Number v) {
    if (v == null) {
      return "n/a";
    }
    return switch (metric.format()) {
      case COUNT -> Long.toString(v.longValue());
      case PERCENT -> String.format(Locale.ROOT, "%.2f%%", 100 * v.doubleValue());
      case DECIMAL -> number(v.doubleValue());
    };
  }

  /** Six decimals for ordinary values, scientific for tiny and huge ones, "n/a" for none. */
  public static String number(Double v) {
    if (v == null || v.isNaN()) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a != 0 && (a < 1e-4 || a >= 1e6)) {
      return String.format(Locale.ROOT, "%.3e", v);
    }
    return String.format(Locale.ROOT, "%.6f", v);
  }

  /** "1.10B", "494M", "12.3K". */
  public static String count(long n) {
    if (n >= 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.2fB", n / 1e9);
    }
    if (n >= 1_000_000L) {
      return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }
    if (n >= 1_000L) {
      return String.format(Locale.ROOT, "%.1fK", n / 1e3);
    }
    return Long.toString(n);
  }
}
