package io.deltascope.diff;

import io.deltascope.checkpoint.TensorInfo;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One base tensor and every comparison that reads it: the unit of work on executors. A single
 * weight-diff has one target per unit; a batch where several fine-tunes share a base has one per
 * fine-tune, and the base tensor is read once for all of them.
 *
 * @param targets the comparisons, each tagged with the index of the plan it belongs to
 */
public record FanOut(List<Target> targets) implements Serializable {

  /** A comparison of plan number {@code plan}. */
  public record Target(int plan, TensorPair pair) implements Serializable {}

  /** Bytes read: the base once, every fine-tune once. */
  public long bytesToRead() {
    TensorPair first = targets.get(0).pair();
    long bytes = first.bytesToRead() - finetunedBytes(first);
    for (Target t : targets) {
      bytes += finetunedBytes(t.pair());
    }
    return bytes;
  }

  public List<TensorPair> pairs() {
    return targets.stream().map(Target::pair).toList();
  }

  /** Groups the plans' pairs by the base tensor they read (and how much of it). */
  public static List<FanOut> of(List<WeightDiffPlan> plans) {
    Map<List<Object>, List<Target>> byBase = new LinkedHashMap<>();
    for (int i = 0; i < plans.size(); i++) {
      for (TensorPair pair : plans.get(i).pairs()) {
        List<Object> key = List.of(pair.base(), pair.elements());
        byBase.computeIfAbsent(key, k -> new ArrayList<>()).add(new Target(i, pair));
      }
    }
    return byBase.values().stream().map(t -> new FanOut(List.copyOf(t))).toList();
  }

  private static long finetunedBytes(TensorPair pair) {
    TensorInfo t = pair.finetuned();
    int block = t.dtype().elementsPerBlock();
    return t.dtype().byteLength((pair.elements() + block - 1) / block * block);
  }
}
