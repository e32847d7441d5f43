package io.deltascope.diagnosis;

import io.deltascope.diff.Structural;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorMetricsRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The rules of a {@link Diagnosis}, one method per finding. */
final class Diagnoser {
  /** Above this ratio to the body the head or embeddings "changed most". */
  static final double OUTLIER_RATIO = 2.0;

  /** One part of the depth changing this much more than another is a concentration. */
  static final double DEPTH_RATIO = 1.25;

  private final WeightDiffResult result;
  private final List<TensorMetricsRow> compared;
  private final List<TensorMetricsRow> matrices;

  Diagnoser(WeightDiffResult result) {
    this.result = result;
    this.compared = result.rows().stream().filter(TensorMetricsRow::hasMetrics).toList();
    this.matrices =
        compared.stream().filter(r -> rank(r) >= 2 && r.getRelativeDelta() != null).toList();
  }

  Diagnosis diagnose() {
    Double mean = result.summary().meanMatrixRelativeDelta();
    Profile profile = Profile.of(mean);
    String meanOf = result.summary().meanOf();
    List<Finding> findings = new ArrayList<>();
    nonFinite(findings);
    Finding lora = lora(findings);
    structure(findings);
    vocabulary(findings);
    dtypes(findings);
    untouched(findings);
    norms(findings);
    Finding outlier = headAndEmbeddings(findings);
    balance(findings);
    Finding depth = depth(findings);
    findings.sort(Comparator.comparingInt(f -> severityOrder(f.severity())));
    return new Diagnosis(
        profile.label(),
        mean,
        meanOf,
        summary(profile, mean, lora, outlier, depth, findings),
        List.copyOf(findings));
  }

  private String summary(
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
            "%s %s fine-tune: the weight matrices moved by %.4f on average (relative change).",
            profile == Profile.EXTREME ? "An" : "A",
            profile.label(),
            mean));
    Finding nonFinite = first(findings, "non_finite");
    if (nonFinite != null) {
      s.append(' ').append(nonFinite.title()).append(": check the checkpoint before using it.");
    } else if (lora != null && lora.title().startsWith("Rank-")) {
      s.append(" It looks like a ")
          .append(lowerFirst(lora.title()))
          .append(", with everything else untouched: a merged adapter.");
    } else if (lora != null) {
      s.append(" It looks like a ").append(lowerFirst(lora.title())).append('.');
    } else if (outlier != null && outlier.severity().equals(Finding.WARNING)) {
      s.append(' ').append(outlier.title()).append(": look at it first.");
    } else if (depth != null && depth.severity().equals(Finding.NOTICE)) {
      s.append(' ').append(depth.title()).append('.');
    } else if (profile == Profile.EXTREME || profile == Profile.HEAVY) {
      s.append(" Expect behaviour to differ clearly from the base.");
    }
    return s.toString();
  }

  // --- findings -----------------------------------------------------------------------------

  private void nonFinite(List<Finding> findings) {
    List<TensorMetricsRow> bad =
        compared.stream().filter(r -> r.getNanCount() > 0 || r.getInfCount() > 0).toList();
    if (bad.isEmpty()) {
      return;
    }
    long nan = bad.stream().mapToLong(TensorMetricsRow::getNanCount).sum();
    long inf = bad.stream().mapToLong(TensorMetricsRow::getInfCount).sum();
    findings.add(
        Finding.warning(
            "non_finite",
            "NaN or Inf values in " + count(bad.size(), "tensor"),
            String.format(
                Locale.ROOT,
                "%d NaN and %d Inf positions, in %s",
                nan,
                inf,
                names(bad.stream().map(TensorMetricsRow::getName).toList()))));
  }

  /** Changed matrices all of low numerical rank: an adapter (LoRA) merged into the weights. */
  private Finding lora(List<Finding> findings) {
    List<TensorMetricsRow> changed = matrices.stream().filter(r -> !untouched(r)).toList();
    if (changed.isEmpty()
        || !changed.stream().allMatch(r -> r.getNumericalRank() != null && isLowRank(r))) {
      return null;
    }
    int rank = changed.stream().mapToInt(TensorMetricsRow::getNumericalRank).max().orElse(0);
    Set<Integer> ranks =
        changed.stream().map(TensorMetricsRow::getNumericalRank).collect(Collectors.toSet());
    List<String> components = distinct(changed, TensorMetricsRow::getComponent);
    long otherChanged =
        compared.stream().filter(r -> !untouched(r) && !changed.contains(r)).count();
    String where =
        components.stream()
            .map(c -> c + " " + layerCoverage(changed, c))
            .collect(Collectors.joining(", "));
    String title =
        String.format(
            Locale.ROOT,
            "rank-%d LoRA-like update on %s",
            rank,
            String.join(" and ", components) + " " + commonCoverage(changed, components));
    String detail =
        String.format(
            Locale.ROOT,
            "%s changed, each of numerical rank %s (singular values above the storage-precision"
                + " floor): %s; %s",
            count(changed.size(), "matrix"),
            ranks.size() == 1 ? Integer.toString(rank) : "at most " + rank,
            where,
            otherChanged == 0
                ? "every other tensor is exactly untouched"
                : count(otherChanged, "other tensor") + " also changed");
    Finding f =
        otherChanged == 0
            ? Finding.notice("lora", upperFirst(title), detail)
            : Finding.notice(
                "lora",
                upperFirst(
                    "low-rank update (rank ≤ " + rank + ") on " + String.join(" and ", components)),
                detail);
    findings.add(f);
    return f;
  }

  private void structure(List<Finding> findings) {
    Structural s = result.structural();
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
            ("added: " + names(s.onlyInFinetuned()) + "; removed: " + names(s.onlyInBase()))));
  }

  private void vocabulary(List<Finding> findings) {
    for (Structural.ShapeChange c : result.structural().shapeChanged()) {
      if (c.commonRows() == null) {
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

  private void dtypes(List<Finding> findings) {
    List<Structural.DtypeChange> changes = result.structural().dtypeChanged();
    if (changes.isEmpty()) {
      return;
    }
    Map<String, Long> byKind =
        changes.stream()
            .collect(
                Collectors.groupingBy(
                    c -> c.dtypeBase() + " -> " + c.dtypeFinetuned(),
                    TreeMap::new,
                    Collectors.counting()));
    String kinds =
        byKind.entrySet().stream()
            .map(e -> e.getKey() + " (" + count(e.getValue(), "tensor") + ")")
            .collect(Collectors.joining(", "));
    findings.add(
        Finding.notice(
            "dtype",
            "Stored type changed: " + kinds,
            "values are compared after decoding both sides to float64; the numerical rank floor"
                + " follows the fine-tune's stored type"));
  }

  private void untouched(List<Finding> findings) {
    long same = compared.stream().filter(Diagnoser::untouched).count();
    Map<String, List<TensorMetricsRow>> byComponent =
        compared.stream()
            .collect(
                Collectors.groupingBy(
                    TensorMetricsRow::getComponent, TreeMap::new, Collectors.toList()));
    List<String> frozen =
        byComponent.entrySet().stream()
            .filter(e -> e.getValue().stream().allMatch(Diagnoser::untouched))
            .map(Map.Entry::getKey)
            .toList();
    String title =
        same == 0
            ? "No tensor is untouched"
            : String.format(
                Locale.ROOT, "%d of %d tensors are exactly untouched", same, compared.size());
    String detail =
        frozen.isEmpty()
            ? "every component changed somewhere"
            : "untouched in every layer: " + String.join(", ", frozen);
    findings.add(Finding.info("untouched", title, detail));
  }

  private void norms(List<Finding> findings) {
    List<TensorMetricsRow> norms = compared.stream().filter(r -> isNorm(r.getComponent())).toList();
    if (norms.isEmpty()) {
      return;
    }
    List<TensorMetricsRow> moved = norms.stream().filter(r -> !untouched(r)).toList();
    if (moved.isEmpty()) {
      findings.add(
          Finding.info(
              "norms",
              "Norms frozen",
              count(norms.size(), "normalization tensor") + ", all exactly unchanged"));
      return;
    }
    TensorMetricsRow most =
        moved.stream()
            .filter(r -> r.getRelativeDelta() != null)
            .max(Comparator.comparingDouble(TensorMetricsRow::getRelativeDelta))
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
                number(aggregate(norms)),
                most.getName(),
                number(most.getRelativeDelta()))));
  }

  /** The embeddings and head against the body (the matrices inside the layer stack). */
  private Finding headAndEmbeddings(List<Finding> findings) {
    Double body = aggregate(matrices.stream().filter(r -> r.getLayer() != null).toList());
    Finding strongest = null;
    double strongestRatio = 0;
    for (String component : List.of("embed", "lm_head")) {
      List<TensorMetricsRow> rows =
          matrices.stream().filter(r -> component.equals(r.getComponent())).toList();
      Double rel = aggregate(rows);
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
              rows.get(0).getName(),
              number(rel),
              number(body),
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

  private void balance(List<Finding> findings) {
    Double attn =
        aggregate(matrices.stream().filter(r -> r.getComponent().startsWith("attn_")).toList());
    Double mlp =
        aggregate(matrices.stream().filter(r -> r.getComponent().startsWith("mlp_")).toList());
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
                number(attn),
                number(mlp))));
  }

  /** Where in the stack the change concentrates: early, middle and late thirds, and the peak. */
  private Finding depth(List<Finding> findings) {
    TreeMap<Integer, List<TensorMetricsRow>> byLayer =
        matrices.stream()
            .filter(r -> r.getLayer() != null)
            .collect(
                Collectors.groupingBy(
                    TensorMetricsRow::getLayer, TreeMap::new, Collectors.toList()));
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
      List<TensorMetricsRow> rows = part.stream().flatMap(l -> byLayer.get(l).stream()).toList();
      Double r = aggregate(rows);
      rel[t] = r == null ? 0 : r;
      int first = part.get(0);
      int last = part.get(part.size() - 1);
      spans[t] = first == last ? "layer " + first : "layers " + first + "-" + last;
    }
    int peak = layers.get(0);
    double peakRel = -1;
    for (Map.Entry<Integer, List<TensorMetricsRow>> e : byLayer.entrySet()) {
      Double r = aggregate(e.getValue());
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
            number(rel[0]),
            spans[1],
            number(rel[1]),
            spans[2],
            number(rel[2]),
            peak,
            number(peakRel));
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

  // --- helpers ------------------------------------------------------------------------------

  static boolean untouched(TensorMetricsRow r) {
    return r.getZeroFraction() != null && r.getZeroFraction() == 1.0;
  }

  static boolean isNorm(String component) {
    return component.startsWith("norm") || component.contains("_norm");
  }

  /** Low numerical rank: at most 64 and at most a quarter of the smaller side. */
  private static boolean isLowRank(TensorMetricsRow r) {
    List<Long> shape = r.getShapeBase();
    long rows = shape.get(0);
    long cols = shape.stream().skip(1).reduce(1L, (x, y) -> x * y);
    long order = Math.min(rows, cols);
    return r.getNumericalRank() <= Math.max(1, Math.min(64, order / 4));
  }

  private static int rank(TensorMetricsRow r) {
    List<Long> shape = r.getShapeBase() != null ? r.getShapeBase() : r.getShapeFinetuned();
    return shape == null ? 0 : shape.size();
  }

  /** sqrt(sum l2^2) / sqrt(sum norm_base^2), as the per-component table aggregates. */
  static Double aggregate(List<TensorMetricsRow> rows) {
    double l2 = 0;
    double base = 0;
    for (TensorMetricsRow r : rows) {
      l2 += r.getL2Distance() * r.getL2Distance();
      base += r.getNormBase() * r.getNormBase();
    }
    return base > 0 ? Math.sqrt(l2) / Math.sqrt(base) : null;
  }

  /** "in every layer (4 of 4)" or "in layers 0, 3 (2 of 4)". */
  private String layerCoverage(List<TensorMetricsRow> changed, String component) {
    Set<Integer> all = layersOf(compared, component);
    Set<Integer> hit = layersOf(changed, component);
    if (all.isEmpty()) {
      return "";
    }
    return hit.equals(all)
        ? "in every layer (" + hit.size() + " of " + all.size() + ")"
        : "in layers " + hit + " (" + hit.size() + " of " + all.size() + ")";
  }

  private String commonCoverage(List<TensorMetricsRow> changed, List<String> components) {
    boolean everywhere =
        components.stream()
            .allMatch(
                c ->
                    !layersOf(compared, c).isEmpty()
                        && layersOf(changed, c).equals(layersOf(compared, c)));
    return everywhere ? "of every layer" : "of some layers";
  }

  private static Set<Integer> layersOf(List<TensorMetricsRow> rows, String component) {
    return rows.stream()
        .filter(r -> component.equals(r.getComponent()) && r.getLayer() != null)
        .map(TensorMetricsRow::getLayer)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static List<String> distinct(
      List<TensorMetricsRow> rows, java.util.function.Function<TensorMetricsRow, String> key) {
    return rows.stream().map(key).filter(Objects::nonNull).distinct().sorted().toList();
  }

  private static Finding first(List<Finding> findings, String category) {
    Predicate<Finding> match = f -> f.category().equals(category);
    return findings.stream().filter(match).findFirst().orElse(null);
  }

  private static int severityOrder(String severity) {
    return switch (severity) {
      case Finding.WARNING -> 0;
      case Finding.NOTICE -> 1;
      default -> 2;
    };
  }

  private static String names(List<String> names) {
    if (names.isEmpty()) {
      return "none";
    }
    String shown = String.join(", ", names.subList(0, Math.min(5, names.size())));
    return names.size() > 5 ? shown + " and " + (names.size() - 5) + " more" : shown;
  }

  private static String count(long n, String noun) {
    String plural = noun.endsWith("x") ? noun.substring(0, noun.length() - 1) + "ces" : noun + "s";
    return n + " " + (n == 1 ? noun : plural);
  }

  private static String number(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.4g", v);
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  private static String upperFirst(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
