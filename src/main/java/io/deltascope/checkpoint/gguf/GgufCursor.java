package io.deltascope.checkpoint.gguf;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.CheckpointException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Sequential little-endian reads through a GGUF file's header, a mapped window at a time, each
 * checked against the file's end before anything is read or allocated. {@link #context} names what
 * is being read, for the error message.
 */
final class GgufCursor implements AutoCloseable {
  private static final int WINDOW_BYTES = 1 << 20;

  private final ByteSource source;
  private final long size;
  private long position;
  private ByteBuffer window;
  private long windowStart;
  private String context = "header";

  GgufCursor(ByteSource source) throws IOException {
    this.source = source;
    this.size = source.size();
  }

  long position() {
    return position;
  }

  long size() {
    return size;
  }

  long remaining() {
    return size - position;
  }

  /** What the next reads are, as an error message would name it ("tensor info 3 of 20"). */
  void context(String what) {
    this.context = what;
  }

  String context() {
    return context;
  }

  int u8() {
    return buffer(1).get() & 0xff;
  }

  int u16() {
    return buffer(2).getShort() & 0xffff;
  }

  long u32() {
    return buffer(4).getInt() & 0xffffffffL;
  }

  int i32() {
    return buffer(4).getInt();
  }

  /** A uint64 as a signed long: values beyond 2^63 come out negative, which callers reject. */
  long u64() {
    return buffer(8).getLong();
  }

  float f32() {
    return buffer(4).getFloat();
  }

  double f64() {
    return buffer(8).getDouble();
  }

  /** A GGUF string: uint64 byte length, then UTF-8 bytes. */
  String string() {
    long length = u64();
    if (length < 0 || length > remaining()) {
      throw fail(
          "string length %s at byte %d runs past the end of the file (%d bytes)",
          Long.toUnsignedString(length), position - 8, size);
    }
    byte[] bytes = new byte[(int) length];
    buffer((int) length).get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Moves to {@code offset}, which must lie within the file. */
  void seek(long offset) {
    if (offset > size) {
      throw fail("offset %d is past the end of the file (%d bytes)", offset, size);
    }
    position = offset;
  }

  /** "FILE: CONTEXT: problem". */
  CheckpointException fail(String problem, Object... args) {
    return CheckpointException.of(
        source.location(), "%s: %s", context, String.format(problem, args));
  }

  /** A buffer positioned at the next {@code n} bytes, which it consumes. */
  private ByteBuffer buffer(int n) {
    if (n > remaining()) {
      throw fail(
          "truncated: needs %d bytes at byte %d, but the file ends at %d", n, position, size);
    }
    if (window == null || position < windowStart || position + n > windowStart + window.limit()) {
      remap(n);
    }
    window.position((int) (position - windowStart));
    position += n;
    return window;
  }

  private void remap(int n) {
    release();
    int length = (int) Math.min(Math.max(n, WINDOW_BYTES), size - position);
    try {
      window = source.read(position, length);
      windowStart = position;
    } catch (IOException e) {
      throw new UncheckedIOException(source.location() + ": " + e.getMessage(), e);
    }
  }

  private void release() {
    if (window != null) {
      source.release(window);
      window = null;
    }
  }

  @Override
  public void close() {
    release();
  }
}
