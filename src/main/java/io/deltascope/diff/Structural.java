package io.deltascope.diff;

import io.deltascope.checkpoint.Shape;
import io.deltascope.tensor.DeltaMetrics;
import java.util.List;

/**
 * What differs in the two checkpoints' catalogues, before any value is read.
 *
 * @param onlyInBase tensor names the fine-tune lacks
 * @param onlyInFinetuned tensor names the base lacks
 * @param shapeChanged tensors on both sides with different shapes
 * @param dtypeChanged tensors on both sides with different stored types
 * @param tied output heads that a side ties to its input embedding instead of storing
 * @param notNumeric integer or bool tensors, listed without metrics
 */
public record Structural(
    List<String> onlyInBase,
    List<String> onlyInFinetuned,
    List<ShapeChange> shapeChanged,
    List<DtypeChange> dtypeChanged,
    List<Tied> tied,
    List<String> notNumeric) {

  /** How many structural changes a user should look at (ties are not changes). */
  public int changeCount() {
    return onlyInBase.size() + onlyInFinetuned.size() + shapeChanged.size() + dtypeChanged.size();
  }

  /**
   * @param commonRows the shared leading rows when only the first dimension differs, else null
   * @param metricsOnCommonRows the comparison over those rows, once computed
   */
  public record ShapeChange(
      String name,
      Shape shapeBase,
      Shape shapeFinetuned,
      Long commonRows,
      DeltaMetrics metricsOnCommonRows) {

    public ShapeChange withMetrics(DeltaMetrics metrics) {
      return new ShapeChange(name, shapeBase, shapeFinetuned, commonRows, metrics);
    }
  }

  public record DtypeChange(String name, String dtypeBase, String dtypeFinetuned) {}

  /**
   * @param name the head's name ({@code lm_head.weight})
   * @param tiedTo the embedding it shares
   * @param side "base", "finetuned" or "both"
   */
  public record Tied(String name, String tiedTo, String side) {}
}
