package io.deltascope.checkpoint;

import java.io.Serializable;

/**
 * The order in which a tensor's rows (slices along its first dimension) are stored, when a file
 * stores them differently from the order everyone else uses. Rows move only within groups of {@link
 * #groupRows} consecutive rows, so a reader can fetch a window's rows with one range read.
 */
public interface RowOrder extends Serializable {

  /** The stored position of logical row {@code row} of a tensor with {@code rows} rows. */
  long storedRow(long row, long rows);

  /** Size of the groups that rows move within (a divisor of {@code rows}). */
  long groupRows(long rows);
}
