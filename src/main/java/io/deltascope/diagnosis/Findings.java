package io.deltascope.diagnosis;

import io.deltascope.diff.Structural;
import io.deltascope.results.Metric;
import io.deltascope.results.TensorResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The findings about a pair's weights, one method per finding; each kind picks those it needs. */
final class Findings {
  /** Above this ratio to the body the head or embeddings "changed most". */
  static final double OUTLIER_RATIO = 2.0;

  /** One part of the depth changing this much more than another is a concentration. */
  static final double DEPTH_RATIO = 1.25;

  private Findings() {}

  static void nonFinite(PairRows p, List<Finding> findings) {
    List<TensorResult> bad =
        p.compared().stream().filter(r -> r.nanCount() > 0 || r.infCount() > 0).toList();
    if (bad.isEmpty()) {
      return;
    }
    long nan = bad.stream().mapToLong(TensorResult::nanCount).sum();
    long inf = bad.stream().mapToLong(TensorResult::infCount).sum();
    findings.add(
        Finding.warning(
            "non_finite",
            "NaN or Inf values in " + Words.count(bad.size(), "tensor"),
            String.format(
                Locale.ROOT,
                "%d NaN and %d Inf positions, in %s",
                nan,
                inf,
                Words.names(bad.stream().map(TensorResult::name).toList()))));
  }

  static void structure(PairRows p, List<Finding> findings) {
    Structural s = p.result().structural();
    if (s.onlyInBase().isEmpty() && s.onlyInFinetuned().isEmpty()) {
      return;
    }
    findings.add(
        Finding.notice(
            "structure",
            String.format(
                Locale.ROOT,
                "Tensors added (%d) or removed (%d)",
                s.onlyInFinetuned().size(),
                s.onlyInBase().size()),
            ("added: "
                + Words.names(s.onlyInFinetuned())
                + "; removed: "
                + Words.names(s.onlyInBase()))));
  }

  /** Rows added to or removed from the embeddings or head; other shapes are not a vocabulary. */
  static void vocabulary(PairRows p, List<Finding> findings) {
    Map<String, String> components = new TreeMap<>();
    p.result().rows().forEach(r -> components.put(r.name(), r.component()));
    for (Structural.ShapeChange c : p.result().structural().shapeChanged()) {
      if (c.commonRows() == null || !PairRows.isVocabulary(components.get(c.name()))) {
        continue;
      }
      long added = c.shapeFinetuned().dim(0) - c.shapeBase().dim(0);
      findings.add(
          Finding.notice(
              "vocabulary",
              String.format(Locale.ROOT, "Vocabulary resized: %+d rows in %s", added, c.name()),
              String.format(
                  Locale.ROOT,
                  "%s %s -> %s; metrics and spectrum on the %d common rows",
                  c.name(),
                  c.shapeBase(),
                  c.shapeFinetuned(),
                  c.commonRows())));
    }
  }

  static void dtypes(PairRows p, List<Finding> findings) {
    List<Structural.DtypeChange> changes = p.result().structural().dtypeChanged();
    if (changes.isEmpty()) {
      return;
    }
    String kinds = retypes(changes);
    findings.add(
        Finding.notice(
            "dtype",
            "Stored type changed: " + kinds,
            "values are compared after decoding both sides to float64; the numerical rank floor"
                + " follows the fine-tune's stored type"));
  }

  /**
   * The retypes grouped, the largest group first: "30 tensors BF16 -> Q4_0, 9 tensors BF16 -> F32".
   */
  static String retypes(List<Structural.DtypeChange> changes) {
    Map<String, Long> byKind =
        changes.stream()
            .collect(
                Collectors.groupingBy(
                    c -> c.dtypeBase() + " -> " + c.dtypeFinetuned(),
                    TreeMap::new,
                    Collectors.counting()));
    return byKind.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> Words.count(e.getValue(), "tensor") + " " + e.getKey())
        .collect(Collectors.joining(", "));
  }

  static void untouched(PairRows p, List<Finding> findings) {
    long same = p.compared().stream().filter(PairRows::untouched).count();
    Map<String, List<TensorResult>> byComponent =
        p.compared().stream()
            .collect(
                Collectors.groupingBy(TensorResult::component, TreeMap::new, Collectors.toList()));
    List<String> frozen =
        byComponent.entrySet().stream()
            .filter(e -> e.getValue().stream().allMatch(PairRows::untouched))
            .map(Map.Entry::getKey)
            .toList();
    String title =
        same == 0
            ? "No tensor is untouched"
            : String.format(
                Locale.ROOT, "%d of %d tensors are exactly untouched", same, p.compared().size());
    String detail =
        frozen.isEmpty()
            ? "every component changed somewhere"
            : "untouched in every layer: " + String.join(", ", frozen);
    findings.add(Finding.info("untouched", title, detail));
  }

  static void norms(PairRows p, List<Finding> findings) {
    List<TensorResult> norms =
        p.compared().stream().filter(r -> PairRows.isNorm(r.component())).toList();
    if (norms.isEmpty()) {
      return;
    }
    List<TensorResult> moved = norms.stream().filter(r -> !PairRows.untouched(r)).toList();
    if (moved.isEmpty()) {
      findings.add(
          Finding.info(
              "norms",
              "Norms frozen",
              Words.count(norms.size(), "normalization tensor") + ", all exactly unchanged"));
      return;
    }
    TensorResult most =
        moved.stream()
            .filter(r -> r.relativeDelta() != null)
            .max(Comparator.comparingDouble(TensorResult::relativeDelta))
            .orElse(moved.get(0));
    findings.add(
        Finding.info(
            "norms",
            "Norms modified",
            String.format(
                Locale.ROOT,
                "%d of %d normalization tensors changed; aggregate relative change %s; most: %s"
                    + " (%s)",
                moved.size(),
                norms.size(),
                Words.number(Metric.RELATIVE_DELTA.aggregate(norms)),
                most.name(),
                Words.number(most.relativeDelta()))));
  }

  /**
   * A fine-tune whose side is also quantized: the drift is more than rounding, and how many values
   * lie outside their block's rounding bound where the diff checked it.
   */
  static void quantizedSides(PairRows p, List<Finding> findings) {
    long checked = 0;
    long outside = 0;
    for (TensorResult r : p.compared()) {
      if (r.outsideRounding() != null) {
        checked += r.nParams();
        outside += r.outsideRounding();
      }
    }
    String detail =
        checked == 0
            ? "its drift is more than its rounding"
            : String.format(
                Locale.ROOT,
                "%d of %d values checked (fraction %s) lie outside their block's rounding bound: more than"
                    + " rounding moved them",
                outside,
                checked,
                Words.number((double) outside / checked));
    for (io.deltascope.diff.QuantizedFile f : p.facts().quantized()) {
      findings.add(
          Finding.info(
              "quantization",
              "Also quantized: " + QuantizationWords.describe(f),
              "a fine-tune stored quantized; " + detail));
    }
  }

  /** The embeddings and head against the body (the matrices inside the layer stack). */
  static Finding headAndEmbeddings(PairRows p, List<Finding> findings) {
    Double body =
        Metric.RELATIVE_DELTA.aggregate(
            p.matrices().stream().filter(r -> r.layer() != null).toList());
    Finding strongest = null;
    double strongestRatio = 0;
    for (String component : List.of("embed", "lm_head")) {
      List<TensorResult> rows =
          p.matrices().stream().filter(r -> component.equals(r.component())).toList();
      Double rel = Metric.RELATIVE_DELTA.aggregate(rows);
      if (rows.isEmpty() || rel == null) {
        continue;
      }
      String what = component.equals("embed") ? "Input embeddings" : "Output head";
      String category = component.equals("embed") ? "embeddings" : "head";
      Finding f;
      double ratio = body == null || body == 0 ? Double.POSITIVE_INFINITY : rel / body;
      String detail =
          String.format(
              Locale.ROOT,
              "%s relative change %s vs %s for the layer stack's matrices (ratio %s)",
              rows.get(0).name(),
              Words.number(rel),
              Words.number(body),
              Double.isInfinite(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f", ratio));
      if (rel == 0) {
        f = Finding.info(category, what + " untouched", detail);
      } else if (ratio > OUTLIER_RATIO) {
        f =
            Finding.warning(
                category,
                String.format(Locale.ROOT, "%s changed most: %.1fx the body", what, ratio),
                detail);
      } else {
        f =
            Finding.info(
                category,
                String.format(Locale.ROOT, "%s changed %.1fx as much as the body", what, ratio),
                detail);
      }
      findings.add(f);
      if (ratio > strongestRatio && rel > 0) {
        strongest = f;
        strongestRatio = ratio;
      }
    }
    return strongest;
  }

  static void balance(PairRows p, List<Finding> findings) {
    Double attn =
        Metric.RELATIVE_DELTA.aggregate(
            p.matrices().stream().filter(r -> r.component().startsWith("attn_")).toList());
    Double mlp =
        Metric.RELATIVE_DELTA.aggregate(
            p.matrices().stream().filter(r -> r.component().startsWith("mlp_")).toList());
    if (attn == null || mlp == null) {
      return;
    }
    String title;
    if (attn == 0 && mlp == 0) {
      return;
    } else if (mlp == 0) {
      title = "Only attention changed; the MLP is untouched";
    } else if (attn == 0) {
      title = "Only the MLP changed; attention is untouched";
    } else {
      double ratio = attn / mlp;
      title =
          ratio >= 1.25
              ? String.format(Locale.ROOT, "Attention changed %.1fx more than the MLP", ratio)
              : ratio <= 0.8
                  ? String.format(
                      Locale.ROOT, "The MLP changed %.1fx more than attention", 1 / ratio)
                  : "Attention and MLP changed alike";
    }
    findings.add(
        Finding.info(
            "balance",
            title,
            String.format(
                Locale.ROOT,
                "aggregate relative change: attention %s, MLP %s",
                Words.number(attn),
                Words.number(mlp))));
  }

  /** Where in the stack the change concentrates: early, middle and late thirds, and the peak. */
  static Finding depth(PairRows p, List<Finding> findings) {
    TreeMap<Integer, List<TensorResult>> byLayer =
        p.matrices().stream()
            .filter(r -> r.layer() != null)
            .collect(Collectors.groupingBy(TensorResult::layer, TreeMap::new, Collectors.toList()));
    if (byLayer.size() < 3) {
      return null;
    }
    List<Integer> layers = new ArrayList<>(byLayer.keySet());
    int n = layers.size();
    String[] names = {"early", "middle", "late"};
    double[] rel = new double[3];
    String[] spans = new String[3];
    for (int t = 0; t < 3; t++) {
      List<Integer> part = layers.subList(t * n / 3, (t + 1) * n / 3);
      List<TensorResult> rows = part.stream().flatMap(l -> byLayer.get(l).stream()).toList();
      Double r = Metric.RELATIVE_DELTA.aggregate(rows);
      rel[t] = r == null ? 0 : r;
      int first = part.get(0);
      int last = part.get(part.size() - 1);
      spans[t] = first == last ? "layer " + first : "layers " + first + "-" + last;
    }
    int peak = layers.get(0);
    double peakRel = -1;
    for (Map.Entry<Integer, List<TensorResult>> e : byLayer.entrySet()) {
      Double r = Metric.RELATIVE_DELTA.aggregate(e.getValue());
      if (r != null && r > peakRel) {
        peakRel = r;
        peak = e.getKey();
      }
    }
    int top = rel[0] >= rel[1] && rel[0] >= rel[2] ? 0 : rel[1] >= rel[2] ? 1 : 2;
    double low = Math.min(rel[0], Math.min(rel[1], rel[2]));
    String detail =
        String.format(
            Locale.ROOT,
            "aggregate relative change: early (%s) %s, middle (%s) %s, late (%s) %s; most"
                + " changed layer %d (%s)",
            spans[0],
            Words.number(rel[0]),
            spans[1],
            Words.number(rel[1]),
            spans[2],
            Words.number(rel[2]),
            peak,
            Words.number(peakRel));
    Finding f;
    if (rel[top] == 0) {
      return null;
    } else if (rel[top] > DEPTH_RATIO * low) {
      f = Finding.notice("depth", "Change concentrates in the " + names[top] + " layers", detail);
    } else {
      f = Finding.info("depth", "Change is spread evenly over depth", detail);
    }
    findings.add(f);
    return f;
  }

  static Finding first(List<Finding> findings, String category) {
    return findings.stream().filter(f -> f.category().equals(category)).findFirst().orElse(null);
  }

  static void sort(List<Finding> findings) {
    findings.sort(Comparator.comparingInt(f -> severityOrder(f.severity())));
  }

  private static int severityOrder(String severity) {
    return switch (severity) {
      case Finding.WARNING -> 0;
      case Finding.NOTICE -> 1;
      default -> 2;
    };
  }
}
