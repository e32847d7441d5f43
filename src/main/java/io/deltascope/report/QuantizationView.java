package io.deltascope.report;

import io.deltascope.diff.ComponentDelta;
import io.deltascope.diff.QuantizedFile;
import io.deltascope.diff.Structural;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorResult;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The terminal's view when one side is a GGUF file: what quantization did to the model. The file's
 * size and bits per weight, drift per layer and component (relative change, RMSE, the lowest
 * cosine, the stored types), the worst tensors, and retypes summarized rather than listed.
 */
public final class QuantizationView {
  private QuantizationView() {}

  static void files(StringBuilder out, List<QuantizedFile> files) {
    for (QuantizedFile f : files) {
      out.append(
          String.format(
              Locale.ROOT,
              "Quantized (%s): %s%s, %s, %.2f bits per weight (%s)%n",
              f.side(),
              f.file(),
              f.fileType() == null ? "" : " [" + f.fileType() + "]",
              bytes(f.fileBytes()),
              f.bitsPerWeight(),
              types(f.tensorsByType())));
    }
    out.append('\n');
  }

  static void layers(StringBuilder out, WeightDiffResult result, List<QuantizedFile> files) {
    boolean finetunedSide = files.stream().anyMatch(f -> f.side().equals("finetuned"));
    boolean bothSides = files.size() == 2;
    Map<List<Object>, QuantizationDrift> drift = new LinkedHashMap<>();
    for (TensorResult row : result.compared()) {
      String type =
          QuantizationDrift.type(row.dtypeBase(), row.dtypeFinetuned(), finetunedSide, bothSides);
      drift
          .computeIfAbsent(
              Arrays.asList(row.layer(), row.component()), k -> new QuantizationDrift())
          .add(row.l2Distance(), row.nParams(), row.cosine(), type);
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%-8s %-16s %-10s %10s %10s %10s%n",
            "Layer",
            "Component",
            "Type",
            "Rel. Diff",
            "RMSE",
            "Min cos"));
    out.append("-".repeat(69)).append('\n');
    for (ComponentDelta c : result.components()) {
      QuantizationDrift d = drift.get(Arrays.asList(c.layer(), c.component()));
      if (d == null) {
        continue;
      }
      out.append(
          String.format(
              Locale.ROOT,
              "%-8s %-16s %-10s %10s %10s %10s%s%n",
              c.layer() == null ? "-" : c.layer(),
              c.component(),
              String.join("/", d.types()),
              TerminalReport.number(c.relativeDelta()),
              TerminalReport.number(d.rmse()),
              TerminalReport.number(d.minCosine()),
              c.relativeDelta() != null && c.relativeDelta() > TerminalReport.HIGHLIGHT
                  ? " ***"
                  : ""));
    }
  }

  static void worstTensors(StringBuilder out, WeightDiffResult result, int topN) {
    List<TensorResult> worst =
        result.compared().stream()
            .filter(r -> r.relativeDelta() != null)
            .sorted(Comparator.comparingDouble(TensorResult::relativeDelta).reversed())
            .limit(topN)
            .toList();
    out.append(String.format(Locale.ROOT, "%nWorst %d tensors:%n", worst.size()));
    for (TensorResult r : worst) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %-48s %-5s -> %-5s rel %s  rmse %s  cos %s%n",
              r.name(),
              r.dtypeBase(),
              r.dtypeFinetuned(),
              TerminalReport.number(r.relativeDelta()),
              TerminalReport.number(r.rmse()),
              TerminalReport.number(r.cosine())));
    }
  }

  /** "BF16 -> Q4_0: 56 tensors, BF16 -> F32: 9 tensors". */
  static void retypes(StringBuilder out, List<Structural.DtypeChange> changes) {
    Map<String, Integer> counts = new TreeMap<>();
    changes.forEach(
        c -> counts.merge(c.dtypeBase() + " -> " + c.dtypeFinetuned(), 1, Integer::sum));
    counts.forEach(
        (change, n) ->
            out.append(String.format(Locale.ROOT, "  retyped     %d tensors %s%n", n, change)));
  }

  private static String types(Map<String, Integer> byType) {
    StringBuilder s = new StringBuilder();
    byType.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(
            e ->
                s.append(s.length() == 0 ? "" : ", ")
                    .append(e.getValue())
                    .append(' ')
                    .append(e.getKey()));
    return s.append(" tensors").toString();
  }

  /** "582.2 KiB", "4.08 GiB". */
  public static String bytes(long n) {
    if (n >= 1L << 30) {
      return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }
    if (n >= 1L << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
    }
    if (n >= 1L << 10) {
      return String.format(Locale.ROOT, "%.1f KiB", n / (double) (1L << 10));
    }
    return n + " B";
  }
}
