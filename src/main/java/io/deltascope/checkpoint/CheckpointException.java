package io.deltascope.checkpoint;

/**
 * A checkpoint that cannot be read as it claims to be. The message is one line that names the file
 * and the problem, fit to show a user as it is.
 */
public class CheckpointException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }

  /** "FILE: problem", the shape every checkpoint error takes. */
  public static CheckpointException of(Object file, String problem, Object... args) {
    return new CheckpointException(
        Locations.redact(String.valueOf(file)) + ": " + String.format(problem, args));
  }
}
