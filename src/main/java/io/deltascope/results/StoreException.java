package io.deltascope.results;

/**
 * A results store that cannot be used as asked: not a store, of an older schema, a table another
 * tool wrote, a damaged log, a commit that failed. The message names the store and the problem in
 * one line.
 */
public final class StoreException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
