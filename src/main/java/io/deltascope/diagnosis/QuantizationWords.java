package io.deltascope.diagnosis;

import io.deltascope.diff.QuantizedFile;
import io.deltascope.diff.Structural;
import io.deltascope.results.Metric;
import io.deltascope.results.TensorResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One side quantized, or only the storage precision changed: the drift is rounding, reported with
 * bits per weight and the drift figures of the quantization view, never as a fine-tune.
 */
final class QuantizationWords {
  private QuantizationWords() {}

  static Diagnosis write(PairRows p) {
    List<Finding> findings = new ArrayList<>();
    Findings.nonFinite(p, findings);
    Findings.dtypes(p, findings);
    findings.add(drift(p));
    String storage = storage(p);
    String summary =
        allUntouched(p)
            ? "Only the storage precision changed ("
                + storage
                + "); every value is equal after decoding: a lossless conversion."
            : "Quantization of the same model ("
                + storage
                + "): the drift is rounding, "
                + figures(p)
                + ".";
    return Diagnoser.of(Kind.QUANTIZATION, p, summary, findings);
  }

  /** "llama-sft.q4_0.gguf at 4.50 bits per weight" or "39 tensors BF16 -> F32, 16 -> 32 bits". */
  private static String storage(PairRows p) {
    List<QuantizedFile> files = p.facts().quantized();
    if (!files.isEmpty()) {
      return files.stream().map(QuantizationWords::describe).collect(Collectors.joining("; "));
    }
    List<Structural.DtypeChange> changes = p.result().structural().dtypeChanged();
    return String.format(
        Locale.ROOT,
        "%s, %.2f -> %.2f bits per weight",
        Findings.retypes(changes),
        bits(p.compared(), TensorResult::dtypeBase),
        bits(p.compared(), TensorResult::dtypeFinetuned));
  }

  /** "finetuned side llama-sft.q4_0.gguf at 4.50 bits per weight, Q4_0". */
  static String describe(QuantizedFile f) {
    return String.format(
        Locale.ROOT,
        "%s side %s at %.2f bits per weight%s",
        f.side(),
        f.file().substring(f.file().lastIndexOf('/') + 1),
        f.bitsPerWeight(),
        f.fileType() == null ? "" : ", " + f.fileType());
  }

  private static double bits(
      List<TensorResult> rows, java.util.function.Function<TensorResult, String> dtype) {
    Map<String, Integer> width = Map.of("F64", 64, "F32", 32, "F16", 16, "BF16", 16);
    double bits = 0;
    long params = 0;
    for (TensorResult r : rows) {
      Integer w = width.get(dtype.apply(r));
      if (w != null) {
        bits += (double) w * r.nParams();
        params += r.nParams();
      }
    }
    return params == 0 ? 0 : bits / params;
  }

  private static Finding drift(PairRows p) {
    TensorResult worst =
        p.compared().stream()
            .filter(r -> r.relativeDelta() != null)
            .max(Comparator.comparingDouble(TensorResult::relativeDelta))
            .orElse(null);
    String detail =
        worst == null
            ? "no tensor's relative change could be computed"
            : String.format(
                Locale.ROOT,
                "most drift: %s (%s -> %s, relative change %s, cosine %s)",
                worst.name(),
                worst.dtypeBase(),
                worst.dtypeFinetuned(),
                Words.number(worst.relativeDelta()),
                Words.number(worst.cosine()));
    return Finding.info("quantization", "Rounding drift: " + figures(p), detail);
  }

  /** The whole pair's drift: relative change, RMSE and lowest cosine over compared tensors. */
  private static String figures(PairRows p) {
    double squared = 0;
    long params = 0;
    Double minCosine = null;
    for (TensorResult r : p.compared()) {
      squared += r.l2Distance() * r.l2Distance();
      params += r.nParams();
      if (r.cosine() != null && (minCosine == null || r.cosine() < minCosine)) {
        minCosine = r.cosine();
      }
    }
    return String.format(
        Locale.ROOT,
        "relative change %s over all compared tensors, RMSE %s, lowest cosine %s",
        Words.number(Metric.RELATIVE_DELTA.aggregate(p.compared())),
        Words.number(params == 0 ? null : Math.sqrt(squared / params)),
        Words.number(minCosine));
  }

  private static boolean allUntouched(PairRows p) {
    return p.compared().stream().allMatch(PairRows::untouched);
  }
}
