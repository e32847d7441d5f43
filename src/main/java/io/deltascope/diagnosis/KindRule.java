package io.deltascope.diagnosis;

import io.deltascope.checkpoint.ModelConfig;
import io.deltascope.diff.Structural;
import io.deltascope.results.TensorResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Decides what a pair is from all of it: identical, then unrelated, then quantization, then a
 * merged LoRA, else a fine-tune. A structure-only run gets a kind only where headers show it.
 */
final class KindRule {
  private KindRule() {}

  static Verdict decide(PairRows rows) {
    List<String> unrelated = unrelatedReasons(rows);
    if (!rows.valuesRead()) {
      if (!unrelated.isEmpty()) {
        return Verdict.of(Kind.UNRELATED, unrelated);
      }
      return rows.facts().quantized().isEmpty() ? Verdict.of(null) : Verdict.of(Kind.QUANTIZATION);
    }
    if (identical(rows)) {
      return Verdict.of(Kind.IDENTICAL);
    }
    if (!unrelated.isEmpty()) {
      return Verdict.of(Kind.UNRELATED, unrelated);
    }
    if (onlyStoragePrecision(rows)) {
      return Verdict.of(Kind.QUANTIZATION);
    }
    // a GGUF side's rank floor comes from its quantized precision: no rank says "LoRA" there
    if (rows.facts().quantized().isEmpty()
        && sameCatalogue(rows.result().structural())
        && LoraFinding.of(rows) != null
        && LoraFinding.everythingElseUntouched(rows)) {
      return Verdict.of(Kind.LORA_MERGE);
    }
    return Verdict.of(Kind.FINE_TUNE);
  }

  /** Every tensor bit-equal: same names, shapes and stored types, and every delta zero. */
  private static boolean identical(PairRows rows) {
    return rows.result().structural().changeCount() == 0
        && rows.compared().stream().allMatch(PairRows::untouched);
  }

  /**
   * Stored types differ (a GGUF side, or a float retype) and every tensor moved by no more than
   * storing it in the coarser type can move it: the values are the same model's, rounded. Where the
   * diff checked each value against its block's rounding bound (ggml block types against a float
   * side) that check decides, exactly; elsewhere (float retypes, two quantized sides) the tensor's
   * relative change against the type's typical rounding.
   */
  static boolean onlyStoragePrecision(PairRows rows) {
    Structural s = rows.result().structural();
    if (!sameCatalogue(s) || s.dtypeChanged().isEmpty()) {
      return false;
    }
    for (TensorResult r : rows.compared()) {
      if (PairRows.untouched(r)) {
        continue;
      }
      if (r.outsideRounding() != null) {
        // exact: a quantization of this very tensor leaves no value outside its block's bound
        if (r.outsideRounding() > 0) {
          return false;
        }
        continue;
      }
      Double bound = roundingBound(r.dtypeBase(), r.dtypeFinetuned());
      if (bound == null
          || Objects.equals(r.dtypeBase(), r.dtypeFinetuned())
          || r.relativeDelta() == null
          || r.relativeDelta() > bound) {
        return false;
      }
    }
    return true;
  }

  /**
   * The most relative change storing a tensor in the coarser of two types causes, or null for types
   * that are not numbers. A float with m mantissa bits rounds each value by at most 2^-(m + 1) of
   * itself. A ggml block type of b bits a weight rounds each value by at most half a step of its
   * block's scale: for weights of roughly normal blocks about 1.5 / 2^b of their RMS (Q4_0 measures
   * 0.07 to 0.09 on the fixtures, Q8_0 0.005); 3 / 2^b leaves room for heavier-tailed blocks.
   */
  static Double roundingBound(String a, String b) {
    Double x = roundingBound(a);
    Double y = roundingBound(b);
    return x == null || y == null ? null : Math.max(x, y);
  }

  private static Double roundingBound(String dtype) {
    if (dtype == null) {
      return null;
    }
    return switch (dtype) {
      case "F64" -> Math.scalb(1.0, -53);
      case "F32" -> Math.scalb(1.0, -24);
      case "F16" -> Math.scalb(1.0, -11);
      case "BF16" -> Math.scalb(1.0, -8);
      case "Q8_0" -> 3.0 / 256;
      case "Q6_K" -> 3.0 / 64;
      case "Q5_0", "Q5_1", "Q5_K" -> 3.0 / 32;
      case "Q4_0", "Q4_1", "Q4_K" -> 3.0 / 16;
      case "Q3_K" -> 3.0 / 8;
      case "Q2_K" -> 3.0 / 4;
      default -> null;
    };
  }

  private static boolean sameCatalogue(Structural s) {
    return s.onlyInBase().isEmpty() && s.onlyInFinetuned().isEmpty() && s.shapeChanged().isEmpty();
  }

  /**
   * Why the two are different models: the configs' model_type, hidden size or layer count, shapes
   * that differ outside a vocabulary resize, or no tensor name in common. Empty when related.
   */
  static List<String> unrelatedReasons(PairRows rows) {
    List<String> reasons = new ArrayList<>();
    ModelConfig a = rows.facts().base();
    ModelConfig b = rows.facts().finetuned();
    if (!a.modelType().isEmpty()
        && !b.modelType().isEmpty()
        && !a.modelType().equals(b.modelType())) {
      reasons.add("model_type " + a.modelType() + " vs " + b.modelType());
    }
    if (a.hiddenSize() > 0 && b.hiddenSize() > 0 && a.hiddenSize() != b.hiddenSize()) {
      reasons.add("hidden size " + a.hiddenSize() + " vs " + b.hiddenSize());
    }
    if (a.numLayers() > 0 && b.numLayers() > 0 && a.numLayers() != b.numLayers()) {
      reasons.add(a.numLayers() + " vs " + b.numLayers() + " layers");
    }
    Map<String, List<Structural.ShapeChange>> shapes = shapesByComponent(rows);
    if (!shapes.isEmpty()) {
      reasons.add("shapes differ in " + String.join(", ", shapes.keySet()));
    }
    Structural s = rows.result().structural();
    boolean common =
        rows.result().rows().size() > s.onlyInBase().size() + s.onlyInFinetuned().size();
    if (!common && !s.onlyInBase().isEmpty() && !s.onlyInFinetuned().isEmpty()) {
      reasons.add("no tensor name in common");
    }
    if (!reasons.isEmpty()
        && a.vocabSize() > 0
        && b.vocabSize() > 0
        && a.vocabSize() != b.vocabSize()) {
      reasons.add("vocabulary " + a.vocabSize() + " vs " + b.vocabSize());
    }
    return reasons;
  }

  /**
   * Shape changes that are not a vocabulary resize (only the first dimension of the embeddings or
   * head), by component.
   */
  static Map<String, List<Structural.ShapeChange>> shapesByComponent(PairRows rows) {
    Map<String, String> component =
        rows.result().rows().stream()
            .filter(r -> r.component() != null)
            .collect(Collectors.toMap(TensorResult::name, TensorResult::component, (x, y) -> x));
    Function<Structural.ShapeChange, String> of = c -> component.getOrDefault(c.name(), "other");
    return rows.result().structural().shapeChanged().stream()
        .filter(c -> !(c.commonRows() != null && PairRows.isVocabulary(of.apply(c))))
        .collect(Collectors.groupingBy(of, TreeMap::new, Collectors.toList()));
  }

  /** The layers a component's shape changes are in, for the words. */
  static TreeSet<Integer> layersOf(PairRows rows, List<Structural.ShapeChange> changes) {
    TreeSet<String> names =
        changes.stream()
            .map(Structural.ShapeChange::name)
            .collect(Collectors.toCollection(TreeSet::new));
    return rows.result().rows().stream()
        .filter(r -> names.contains(r.name()) && r.layer() != null)
        .map(TensorResult::layer)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
