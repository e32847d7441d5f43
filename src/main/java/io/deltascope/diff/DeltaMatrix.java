package io.deltascope.diff;

import io.deltascope.checkpoint.Shape;

/**
 * A compared tensor seen as a matrix for its spectrum: [shape[0], product of the rest] over the
 * compared rows (the common rows of a vocabulary resize). 0-D and 1-D tensors are not matrices.
 *
 * @param rows compared rows
 * @param cols elements per row
 */
public record DeltaMatrix(long rows, long cols) {

  /** The matrix of {@code pair}, or null for a 0-D or 1-D tensor. */
  public static DeltaMatrix of(TensorPair pair) {
    Shape shape = pair.base().shape();
    if (shape.rank() < 2) {
      return null;
    }
    long cols = shape.rowElements();
    return new DeltaMatrix(cols == 0 ? 0 : pair.elements() / cols, cols);
  }

  public long elements() {
    return rows * cols;
  }

  /** Whether D^T D (cols x cols) is the smaller Gram. */
  public boolean tall() {
    return rows >= cols;
  }

  /** The order of the Gram on the smaller side: min(rows, cols). */
  public long order() {
    return Math.min(rows, cols);
  }
}
