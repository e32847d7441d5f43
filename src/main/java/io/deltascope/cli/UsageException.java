package io.deltascope.cli;

/**
 * A malformed argument or option value ({@code --top-n -1}, {@code -p ""}, a statement {@code sql}
 * does not run): one line, exit code 2, as picocli's own parse errors.
 */
public class UsageException extends UserException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
