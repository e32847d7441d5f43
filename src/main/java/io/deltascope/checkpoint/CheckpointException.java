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

  /**
   * A read of mapped bytes that faulted: the JVM turns the SIGBUS of a mapped file truncated or
   * replaced under it into an {@link InternalError}, which Spark would take for a dying JVM. Names
   * the file that no longer holds its tensor (else every file read).
   */
  public static CheckpointException mappedReadFailed(
      InternalError fault, java.util.List<TensorInfo> tensors) {
    for (TensorInfo t : tensors) {
      long size = sizeNow(t.file());
      long end = t.offset() + t.byteLength();
      if (size < end) {
        return of(
            t.file(),
            "changed while being read (now %d bytes; tensor '%s' ends at byte %d): truncated or"
                + " replaced while mapped",
            size,
            t.name(),
            end);
      }
    }
    java.util.Set<String> files = new java.util.TreeSet<>();
    tensors.forEach(t -> files.add(t.file()));
    return of(String.join(", ", files), "a mapped read failed (%s)", fault.getMessage());
  }

  private static long sizeNow(String file) {
    try {
      return Locations.size(file);
    } catch (RuntimeException e) {
      return -1; // gone
    }
  }

  /**
   * A header read of mapped bytes that faulted (the {@link InternalError} of {@link
   * #mappedReadFailed}): the file was truncated or replaced while its header was being read.
   *
   * @param where what was being read, or null
   */
  public static CheckpointException headerChanged(String file, String where) {
    return of(
        file,
        "changed while its header was being read%s: truncated or replaced while mapped",
        where == null ? "" : " (" + where + ")");
  }

  /** "FILE: problem", the shape every checkpoint error takes. */
  public static CheckpointException of(Object file, String problem, Object... args) {
    return new CheckpointException(
        Locations.redact(String.valueOf(file)) + ": " + String.format(problem, args));
  }
}
