package io.deltascope.diff;

import io.deltascope.checkpoint.TensorInfo;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Comparisons that read overlapping tensors, and each of those tensors read once for all of them:
 * the unit of work on executors. A single weight-diff has one target per unit; a batch where
 * several fine-tunes share a base has one per fine-tune (the base read once); a trajectory has one
 * per pair of checkpoints that compares the tensor (each checkpoint's tensor read once).
 *
 * @param targets the comparisons, each tagged with the index of the plan it belongs to
 */
public record FanOut(List<Target> targets) implements Serializable {

  /** A comparison of plan number {@code plan}. */
  public record Target(int plan, TensorPair pair) implements Serializable {}

  /** Bytes read: each distinct tensor once, as far as its longest comparison reaches. */
  public long bytesToRead() {
    Map<TensorInfo, Long> reach = reach(pairs());
    long bytes = 0;
    for (Map.Entry<TensorInfo, Long> e : reach.entrySet()) {
      bytes += TensorPair.bytesOf(e.getKey(), e.getValue());
    }
    return bytes;
  }

  public List<TensorPair> pairs() {
    return targets.stream().map(Target::pair).toList();
  }

  /** Each distinct tensor the pairs read, in first use order, and how many elements of it. */
  public static Map<TensorInfo, Long> reach(List<TensorPair> pairs) {
    Map<TensorInfo, Long> reach = new LinkedHashMap<>();
    for (TensorPair p : pairs) {
      reach.merge(p.base(), p.elements(), Math::max);
      reach.merge(p.finetuned(), p.elements(), Math::max);
    }
    return reach;
  }

  /** Groups the plans' pairs by the base tensor they read (and how much of it): a batch. */
  public static List<FanOut> of(List<WeightDiffPlan> plans) {
    return group(plans, pair -> List.of(pair.base(), pair.elements()));
  }

  /**
   * Groups the plans' pairs by tensor name: plans over a sequence of checkpoints (a trajectory),
   * where one unit reads a tensor from every checkpoint once for every pair that compares it.
   */
  public static List<FanOut> byName(List<WeightDiffPlan> plans) {
    return group(plans, TensorPair::name);
  }

  private static List<FanOut> group(List<WeightDiffPlan> plans, Function<TensorPair, ?> key) {
    Map<Object, List<Target>> groups = new LinkedHashMap<>();
    for (int i = 0; i < plans.size(); i++) {
      for (TensorPair pair : plans.get(i).pairs()) {
        groups.computeIfAbsent(key.apply(pair), k -> new ArrayList<>()).add(new Target(i, pair));
      }
    }
    return groups.values().stream().map(t -> new FanOut(List.copyOf(t))).toList();
  }
}
