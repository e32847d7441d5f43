package io.deltascope.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes one safetensors file, streaming: the header is written up front from the declared tensors
 * (their byte ranges follow from dtypes and shapes alone), then the tensors' bytes are appended in
 * declaration order through a small buffer. Nothing larger than that buffer is ever held.
 *
 * <p>Layout, as {@link SafetensorsFile#read} expects it: an 8-byte little-endian header length N, N
 * bytes of JSON ({@code __metadata__} first, then each tensor's dtype, shape and data_offsets),
 * padded with spaces so that N is a multiple of 8, then the data section.
 */
public final class SafetensorsWriter implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BUFFER_BYTES = 1 << 20;

  /**
   * One declared tensor.
   *
   * @param name its name in the checkpoint
   * @param dtype its stored type (whole blocks only)
   * @param shape its dimensions
   */
  public record Entry(String name, DType dtype, Shape shape) {
    public long byteLength() {
      return dtype.byteLength(shape.elementCount());
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final long dataBytes;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
  private long written;

  private SafetensorsWriter(Path file, FileChannel channel, long dataBytes) {
    this.file = file;
    this.channel = channel;
    this.dataBytes = dataBytes;
  }

  /**
   * Creates (or replaces) {@code file} and writes its header; the data of {@code entries} follows
   * through {@link #write}, in the same order.
   */
  public static SafetensorsWriter create(
      Path file, List<Entry> entries, Map<String, String> metadata) throws IOException {
    byte[] header = header(entries, metadata);
    FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    try {
      ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
      head.putLong(header.length).put(header).flip();
      while (head.hasRemaining()) {
        channel.write(head);
      }
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return new SafetensorsWriter(file, channel, dataBytes(entries));
  }

  /** The header's JSON, padded with spaces to a multiple of 8 bytes. */
  static byte[] header(List<Entry> entries, Map<String, String> metadata) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode meta = root.putObject("__metadata__");
    metadata.forEach(meta::put);
    long offset = 0;
    for (Entry e : entries) {
      if (e.name().equals("__metadata__") || root.has(e.name())) {
        throw new IllegalArgumentException("tensor name '" + e.name() + "' declared twice");
      }
      ObjectNode t = root.putObject(e.name());
      t.put("dtype", e.dtype().name());
      ArrayNode shape = t.putArray("shape");
      for (long d : e.shape().dims()) {
        shape.add(d);
      }
      long end = offset + e.byteLength();
      t.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    byte[] header = new byte[padded];
    System.arraycopy(json, 0, header, 0, json.length);
    java.util.Arrays.fill(header, json.length, padded, (byte) ' ');
    return header;
  }

  /** Bytes of the data section that {@code entries} occupy. */
  public static long dataBytes(List<Entry> entries) {
    long total = 0;
    for (Entry e : entries) {
      total = Math.addExact(total, e.byteLength());
    }
    return total;
  }

  /** Appends the remaining bytes of {@code data} (little-endian tensor data, in entry order). */
  public void write(ByteBuffer data) throws IOException {
    if (data.remaining() > remaining()) {
      throw new IOException(
          String.format(
              "%s: %d more bytes written than the %d the declared tensors hold",
              file, data.remaining() - remaining(), dataBytes));
    }
    put(data);
  }

  /** Data bytes still to be written. */
  public long remaining() {
    return dataBytes - written;
  }

  private void put(ByteBuffer data) throws IOException {
    written += data.remaining();
    if (data.remaining() >= BUFFER_BYTES) {
      flush();
      while (data.hasRemaining()) {
        channel.write(data);
      }
      return;
    }
    while (data.hasRemaining()) {
      if (!buffer.hasRemaining()) {
        flush();
      }
      int n = Math.min(buffer.remaining(), data.remaining());
      ByteBuffer slice = data.slice().limit(n);
      buffer.put(slice);
      data.position(data.position() + n);
    }
  }

  private void flush() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  /** Flushes and closes; fails when fewer bytes were written than the declared tensors hold. */
  @Override
  public void close() throws IOException {
    try {
      flush();
    } finally {
      channel.close();
    }
    if (written != dataBytes) {
      throw new IOException(
          String.format(
              "%s: closed after %d of the %d data bytes the declared tensors hold",
              file, written, dataBytes));
    }
  }
}
