package io.deltascope.checkpoint;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A child JVM that runs the real command line while one checkpoint file is cut under it: the first
 * time a window of {@code FILE} at or past byte {@code FROM} is mapped, the file is truncated to
 * the page boundary at or before {@code FROM} (so that the window's pages all lie past the end and
 * its first read faults), before the window is read. Exits with the command's exit code.
 *
 * <p>Arguments: FILE FROM, then the command line.
 */
public final class CutAfterMapping {
  private CutAfterMapping() {}

  public static void main(String[] args) {
    Path file = Path.of(args[0]).toAbsolutePath();
    long from = Long.parseLong(args[1]);
    AtomicBoolean cut = new AtomicBoolean();
    MappedFileSource.afterMapping =
        (path, offset) -> {
          if (offset >= from
              && path.toAbsolutePath().equals(file)
              && cut.compareAndSet(false, true)) {
            truncate(file, pageStart(from));
          }
        };
    String[] command = Arrays.copyOfRange(args, 2, args.length);
    System.exit(io.deltascope.cli.Main.execute(command));
  }

  /** The page boundary at or before {@code offset}. */
  public static long pageStart(long offset) {
    return offset - offset % 4096;
  }

  private static void truncate(Path file, long length) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
