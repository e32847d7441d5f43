package io.deltascope.cli;

import io.deltascope.checkpoint.HadoopFiles;
import io.deltascope.checkpoint.Locations;
import io.deltascope.results.ResultsStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

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
   * Fails before any work is done when {@code --results} could not take a run later (the store's
   * rules: {@link ResultsStore#checkWritable}), or its file system cannot be reached. Asked of the
   * Hadoop file system the store will be written through ({@code conf}: the run's settings), so
   * local paths and any URI ({@code s3a://}, {@code hdfs://} ...) are checked alike.
   */
  static void checkStore(String results, Configuration conf) {
    org.apache.hadoop.fs.Path store = storePath(results);
    // a fresh instance, closed after: the cached one is created with the session's settings
    try (FileSystem fs = FileSystem.newInstance(store.toUri(), conf)) {
      ResultsStore.checkWritable(fs, store);
    } catch (IOException e) {
      throw new UserException(
          Locations.redact(results)
              + ": cannot reach the results store: "
              + HadoopFiles.describe(e));
    }
  }

  private static org.apache.hadoop.fs.Path storePath(String results) {
    if (results.isBlank()) {
      throw new UsageException("--results is empty");
    }
    try {
      return new org.apache.hadoop.fs.Path(results);
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "--results "
              + Locations.redact(results)
              + ": not a path or URI ("
              + e.getMessage()
              + ")");
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
