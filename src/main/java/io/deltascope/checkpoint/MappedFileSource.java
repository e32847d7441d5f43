package io.deltascope.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BiConsumer;

/**
 * A local file read through memory mappings of the requested ranges (long offsets, so files over 2
 * GB are fine). Mappings are unmapped on {@link #release}, so a task's resident memory stays at the
 * windows it is using rather than growing with every tensor it has read.
 */
final class MappedFileSource implements ByteSource {
  /**
   * Tests only: runs after each mapping of (file, offset), before its bytes are read, so that a
   * test can cut the file under a real reader at the worst moment. Null in every real run.
   */
  static volatile BiConsumer<Path, Long> afterMapping;

  private final Path path;
  private volatile FileChannel channel;
  private volatile boolean closed;

  MappedFileSource(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
  }

  @Override
  public long size() throws IOException {
    return open().size();
  }

  /**
   * The channel, opened again when an interrupt closed it: a file channel closes itself when any
   * thread using it is interrupted (Spark interrupts the other tasks of a failed job), and a source
   * cached for the life of an executor must survive that.
   */
  private FileChannel open() throws IOException {
    FileChannel c = channel;
    if (!c.isOpen() && !closed) {
      synchronized (this) {
        if (!channel.isOpen() && !closed) {
          channel = FileChannel.open(path, StandardOpenOption.READ);
        }
        c = channel;
      }
    }
    return c;
  }

  @Override
  public ByteBuffer read(long offset, int length) throws IOException {
    FileChannel channel = open();
    if (offset < 0 || length < 0 || offset + length > channel.size()) {
      throw new IOException(
          String.format(
              "%s: range [%d, %d) is outside the file (%d bytes)",
              path, offset, offset + length, channel.size()));
    }
    if (length == 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    }
    MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
    BiConsumer<Path, Long> hook = afterMapping;
    if (hook != null) {
      hook.accept(path, offset);
    }
    return mapped.order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void release(ByteBuffer buffer) {
    DirectBuffers.free(buffer);
  }

  @Override
  public String location() {
    return path.toString();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    channel.close();
  }
}
