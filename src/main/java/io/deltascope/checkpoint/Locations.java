package io.deltascope.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place that turns a location string (a local path today, a Hadoop URI as well once a
 * remote file system is wired in) into bytes. Everything else names files by location string, so
 * that work units stay serializable and readable in error messages.
 */
public final class Locations {
  private Locations() {}

  public static ByteSource open(String location) {
    try {
      return new MappedFileSource(Path.of(location));
    } catch (IOException e) {
      throw CheckpointException.of(location, "cannot open: %s", describe(e));
    }
  }

  public static boolean isFile(String location) {
    return Files.isRegularFile(Path.of(location));
  }

  public static boolean isDirectory(String location) {
    return Files.isDirectory(Path.of(location));
  }

  public static boolean exists(String location) {
    return Files.exists(Path.of(location));
  }

  /** {@code child} inside {@code folder}, as a location string. */
  public static String resolve(String folder, String child) {
    return Path.of(folder).resolve(child).toString();
  }

  /** Whether {@code child}, resolved inside {@code folder}, stays inside it (no "..", no root). */
  public static boolean staysInside(String folder, String child) {
    Path base = Path.of(folder).toAbsolutePath().normalize();
    Path target = base.resolve(child).normalize();
    return !Path.of(child).isAbsolute() && target.startsWith(base) && !target.equals(base);
  }

  /** The file's size in bytes. */
  public static long size(String location) {
    try {
      return Files.size(Path.of(location));
    } catch (IOException e) {
      throw CheckpointException.of(location, "cannot read: %s", describe(e));
    }
  }

  public static byte[] readAll(String location) {
    try {
      return Files.readAllBytes(Path.of(location));
    } catch (IOException e) {
      throw CheckpointException.of(location, "cannot read: %s", describe(e));
    }
  }

  static String describe(IOException e) {
    String kind = e.getClass().getSimpleName();
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? kind : e.getMessage();
  }

  static UncheckedIOException unchecked(String location, IOException e) {
    return new UncheckedIOException(location + ": " + describe(e), e);
  }
}
