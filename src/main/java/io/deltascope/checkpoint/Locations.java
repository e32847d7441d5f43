package io.deltascope.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place that turns a location string into bytes: a local path (memory-mapped) or any Hadoop
 * file system URI ({@link HadoopFiles}). Everything else names files by location string, so that
 * work units stay serializable and readable in error messages.
 */
public final class Locations {
  private Locations() {}

  public static ByteSource open(String location) {
    if (HadoopFiles.isRemote(location)) {
      return HadoopFiles.open(location);
    }
    try {
      return new MappedFileSource(local(location));
    } catch (IOException e) {
      throw CheckpointException.of(location, "cannot open: %s", describe(e));
    }
  }

  public static boolean isFile(String location) {
    return HadoopFiles.isRemote(location)
        ? HadoopFiles.isFile(location)
        : Files.isRegularFile(local(location));
  }

  public static boolean isDirectory(String location) {
    return HadoopFiles.isRemote(location)
        ? HadoopFiles.isDirectory(location)
        : Files.isDirectory(local(location));
  }

  public static boolean exists(String location) {
    return HadoopFiles.isRemote(location)
        ? HadoopFiles.exists(location)
        : Files.exists(local(location));
  }

  /** Why nothing readable is at {@code location}: a link loop or a dangling link is named. */
  public static String whyMissing(String location) {
    if (HadoopFiles.isRemote(location)) {
      return "no such file or folder";
    }
    Path path = local(location);
    if (!Files.isSymbolicLink(path)) {
      return "no such file or folder";
    }
    try {
      path.toRealPath();
      return "no such file or folder";
    } catch (java.nio.file.FileSystemException e) {
      if (e.getReason() != null && e.getReason().contains("symbolic links")) {
        return "a symbolic link loop (" + e.getReason() + ")";
      }
      return "a symbolic link to " + target(path) + ", which does not exist";
    } catch (IOException e) {
      return "a symbolic link that cannot be followed: " + describe(e);
    }
  }

  /**
   * Fails naming what is at {@code location} when something is there but not a file: a folder, a
   * link loop, a dangling link. Nothing there, or a file, passes.
   */
  public static void requireFileOrNothing(String location) {
    if (HadoopFiles.isRemote(location)) {
      if (HadoopFiles.isDirectory(location)) {
        throw CheckpointException.of(location, "is a folder, expected a file");
      }
      return;
    }
    Path path = local(location);
    if (Files.isDirectory(path)) {
      throw CheckpointException.of(location, "is a folder, expected a file");
    }
    if (Files.isSymbolicLink(path) && !Files.exists(path)) {
      throw CheckpointException.of(location, whyMissing(location));
    }
    if (Files.exists(path) && !Files.isRegularFile(path)) {
      throw CheckpointException.of(location, "is not a regular file");
    }
  }

  private static String target(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return "?";
    }
  }

  /**
   * {@code child} inside {@code folder}, as a location string; local paths become absolute, so that
   * executors with another working folder find them.
   */
  public static String resolve(String folder, String child) {
    return HadoopFiles.isRemote(folder)
        ? HadoopFiles.resolve(folder, child)
        : local(folder).toAbsolutePath().resolve(child).normalize().toString();
  }

  /** The folder holding {@code file}. */
  public static String parent(String file) {
    if (HadoopFiles.isRemote(file)) {
      return new org.apache.hadoop.fs.Path(file).getParent().toString();
    }
    Path parent = local(file).toAbsolutePath().getParent();
    return parent == null ? "/" : parent.toString();
  }

  /** A local path or {@code file:} URI as a path. */
  static Path local(String location) {
    return location.startsWith("file:")
        ? Path.of(java.net.URI.create(location))
        : Path.of(location);
  }

  /**
   * The location without user info or query string, as it may be printed, logged or stored: {@code
   * s3a://key:secret@bucket/x?token=...} becomes {@code s3a://bucket/x}.
   */
  public static String redact(String location) {
    return location
        .replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1")
        .replaceFirst("\\?.*$", "");
  }

  /** Whether {@code child}, resolved inside {@code folder}, stays inside it (no "..", no root). */
  public static boolean staysInside(String folder, String child) {
    if (HadoopFiles.isRemote(folder)) {
      return HadoopFiles.staysInside(folder, child);
    }
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
    if (HadoopFiles.isRemote(location)) {
      return HadoopFiles.readAll(location);
    }
    try {
      return Files.readAllBytes(local(location));
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
