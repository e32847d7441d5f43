package io.deltascope.cli;

/** A problem with what the user asked for, shown as it is: one line, exit code 1. */
public class UserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserException(String message) {
    super(message);
  }
}
