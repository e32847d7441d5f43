package io.deltascope.diff;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The driver's plan for comparing two checkpoints: which tensors to compare on executors, and the
 * structural differences found from headers alone.
 *
 * @param base the base checkpoint
 * @param finetuned the fine-tuned checkpoint
 * @param pairs comparisons to run, sorted by name
 * @param structural the structural differences (shape changes without metrics yet)
 */
public record WeightDiffPlan(
    Checkpoint base, Checkpoint finetuned, List<TensorPair> pairs, Structural structural) {

  public static final String LM_HEAD = "lm_head.weight";

  public static WeightDiffPlan of(Checkpoint base, Checkpoint finetuned) {
    String modelType = modelType(base, finetuned);
    List<TensorPair> pairs = new ArrayList<>();
    List<String> onlyInBase = new ArrayList<>();
    List<String> onlyInFinetuned = new ArrayList<>();
    List<Structural.ShapeChange> shapeChanged = new ArrayList<>();
    List<Structural.DtypeChange> dtypeChanged = new ArrayList<>();
    List<String> notNumeric = new ArrayList<>();

    List<Structural.Tied> tied = new ArrayList<>();
    Map<String, TensorInfo> baseLends = lent(base, "base", tied);
    Map<String, TensorInfo> finetunedLends = lent(finetuned, "finetuned", tied);
    List<Structural.Tied> ties = mergeSides(tied);

    TreeSet<String> names = new TreeSet<>(base.tensors().keySet());
    names.addAll(finetuned.tensors().keySet());
    for (String name : names) {
      TensorInfo a = base.tensor(name);
      TensorInfo b = finetuned.tensor(name);
      if ((a == null) != (b == null)) {
        // one side ties the name (its head) to a tensor it stores: compare the other side's with it
        a = a != null ? a : baseLends.get(name);
        b = b != null ? b : finetunedLends.get(name);
      }
      TensorRole role = TensorRole.of(name, modelType);
      if (a == null) {
        onlyInFinetuned.add(name);
      } else if (b == null) {
        onlyInBase.add(name);
      } else {
        if (a.storedType() != b.storedType()) {
          dtypeChanged.add(
              new Structural.DtypeChange(name, a.storedType().name(), b.storedType().name()));
        }
        if (!a.dtype().isDecodable() || !b.dtype().isDecodable()) {
          notNumeric.add(name);
        } else if (a.shape().equals(b.shape())) {
          pairs.add(new TensorPair(name, role, a, b, a.elementCount(), TensorStatus.COMPARED));
        } else {
          Long common = commonRows(a, b);
          shapeChanged.add(new Structural.ShapeChange(name, a.shape(), b.shape(), common, null));
          if (common != null) {
            long elements = common * a.shape().rowElements();
            pairs.add(new TensorPair(name, role, a, b, elements, TensorStatus.SHAPE_CHANGED));
          }
        }
      }
    }
    Structural structural =
        new Structural(
            List.copyOf(onlyInBase),
            List.copyOf(onlyInFinetuned),
            List.copyOf(shapeChanged),
            List.copyOf(dtypeChanged),
            ties,
            List.copyOf(notNumeric));
    return new WeightDiffPlan(base, finetuned, List.copyOf(pairs), structural);
  }

  public long bytesToRead() {
    return pairs.stream().mapToLong(TensorPair::bytesToRead).sum();
  }

  /** The model type used to name components: the base's, else the fine-tune's. */
  static String modelType(Checkpoint base, Checkpoint finetuned) {
    String type = base.config().modelType();
    return type.isEmpty() ? finetuned.config().modelType() : type;
  }

  private static Long commonRows(TensorInfo a, TensorInfo b) {
    // an empty side has no rows to share: a reshape, not a vocabulary resize
    if (a.elementCount() == 0
        || b.elementCount() == 0
        || !a.shape().differsOnlyInFirstDim(b.shape())) {
      return null;
    }
    return Math.min(a.shape().dim(0), b.shape().dim(0));
  }

  /**
   * The tensors a side lends under a tied name, as that name: those its file stores under a second
   * name (a torch.save'd tie), else, when its config ties the head, its embedding as the head;
   * records the ties.
   */
  private static Map<String, TensorInfo> lent(
      Checkpoint checkpoint, String side, List<Structural.Tied> tied) {
    Map<String, TensorInfo> lent = new TreeMap<>();
    checkpoint
        .ties()
        .forEach(
            (name, storedAs) -> {
              TensorInfo stored = checkpoint.tensor(storedAs);
              if (stored != null) {
                tied.add(new Structural.Tied(name, storedAs, side));
                lent.put(name, stored.withName(name));
              }
            });
    if (!lent.containsKey(LM_HEAD)) {
      tiedHead(checkpoint, side, tied).ifPresent(head -> lent.put(LM_HEAD, head));
    }
    return lent;
  }

  /**
   * A side whose config ties the head and stores no {@code lm_head.weight} lends its embedding as
   * the head; records the tie.
   */
  private static Optional<TensorInfo> tiedHead(
      Checkpoint checkpoint, String side, List<Structural.Tied> tied) {
    if (!checkpoint.config().tieWordEmbeddings() || checkpoint.tensor(LM_HEAD) != null) {
      return Optional.empty();
    }
    String modelType = checkpoint.config().modelType();
    return checkpoint.tensors().values().stream()
        .filter(t -> "embed".equals(TensorRole.of(t.name(), modelType).component()))
        .findFirst()
        .map(
            embed -> {
              tied.add(new Structural.Tied(LM_HEAD, embed.name(), side));
              return embed.withName(LM_HEAD);
            });
  }

  /** A name both sides tie to the same tensor is one tie, on "both" sides. */
  private static List<Structural.Tied> mergeSides(List<Structural.Tied> tied) {
    List<Structural.Tied> merged = new ArrayList<>();
    for (Structural.Tied t : tied) {
      boolean onBoth =
          tied.stream()
              .anyMatch(
                  other ->
                      !other.side().equals(t.side())
                          && other.name().equals(t.name())
                          && Objects.equals(other.tiedTo(), t.tiedTo()));
      if (!onBoth) {
        merged.add(t);
      } else if (t.side().equals("base")) {
        merged.add(new Structural.Tied(t.name(), t.tiedTo(), "both"));
      }
    }
    return List.copyOf(merged);
  }
}
