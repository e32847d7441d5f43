package io.deltascope.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Random access to the bytes of one file, local or remote. Implementations decide how: a local file
 * is memory-mapped, a remote object is read with ranged reads.
 */
public interface ByteSource extends Closeable {

  /** The file's size in bytes. */
  long size() throws IOException;

  /**
   * {@code length} bytes starting at {@code offset}, in a little-endian buffer whose position is 0
   * and limit {@code length}. The buffer may be a mapping: hand it back with {@link #release}.
   */
  ByteBuffer read(long offset, int length) throws IOException;

  /** Gives back a buffer from {@link #read} now rather than at the next garbage collection. */
  default void release(ByteBuffer buffer) {}

  /**
   * A copy of {@code length} bytes at {@code offset} (a header, a magic number), the buffer given
   * back; a file cut under the copy is a CheckpointException naming it ({@link MappedFaults}).
   */
  default byte[] bytes(long offset, int length) throws IOException {
    return MappedFaults.guard(
        () -> {
          ByteBuffer buffer = read(offset, length);
          byte[] bytes = new byte[length];
          try {
            buffer.get(0, bytes);
          } finally {
            release(buffer);
          }
          return bytes;
        },
        fault -> CheckpointException.headerChanged(location(), null));
  }

  /** The file's name as users see it in error messages. */
  String location();
}
