package io.deltascope.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Output files appear whole or not at all: written beside the target, then moved over it. */
final class OutputFiles {
  private OutputFiles() {}

  /** Fails before any work is done when {@code file} could not be written later. */
  static void checkWritable(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new UserException(file + ": the folder " + parent + " does not exist");
    }
    if (Files.isDirectory(file)) {
      throw new UserException(file + ": is a folder, expected a file name");
    }
  }

  /**
   * Fails before any work is done when a local {@code --results} names something that is not a
   * folder (a remote store is checked by the file system it lives on, once Spark has started).
   */
  static void checkStore(String results) {
    if (io.deltascope.checkpoint.HadoopFiles.isRemote(results)) {
      return;
    }
    Path store =
        Path.of(results.startsWith("file:") ? java.net.URI.create(results).getPath() : results);
    if (Files.exists(store) && !Files.isDirectory(store)) {
      throw new UserException(results + ": is a file, expected a results store folder (--results)");
    }
  }

  private static void readableByAll(Path file) throws IOException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(
          file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  static void write(Path file, String text) {
    Path target = file.toAbsolutePath();
    Path temp = null;
    try {
      temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      readableByAll(temp); // a temp file is private; a report is not
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // the move succeeded or the write failed; either way nothing more to do
        }
      }
    }
  }
}
