package io.deltascope.checkpoint.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes small GGUF files byte by byte, following the format rather than deltascope's reader, so
 * that tests can build exactly the valid and broken files they need.
 */
public final class TinyGguf {
  int magic = GgufFile.MAGIC;
  int version = 3;
  Long tensorCountOverride;
  Long entryCountOverride;
  int alignment = 32;
  private final List<Consumer<Out>> entries = new ArrayList<>();
  private final List<Consumer<Out>> infos = new ArrayList<>();
  private byte[] data = new byte[0];

  /** A metadata entry whose value {@code value} writes (after the type id {@code type}). */
  TinyGguf entry(String key, int type, Consumer<Out> value) {
    entries.add(
        out -> {
          out.string(key);
          out.u32(type);
          value.accept(out);
        });
    return this;
  }

  /** A tensor info: {@code dims} innermost first, {@code offset} relative to the data section. */
  public TinyGguf tensor(String name, long[] dims, int type, long offset) {
    infos.add(
        out -> {
          out.string(name);
          out.u32(dims.length);
          for (long d : dims) {
            out.u64(d);
          }
          out.u32(type);
          out.u64(offset);
        });
    return this;
  }

  public TinyGguf data(byte[] bytes) {
    this.data = bytes.clone();
    return this;
  }

  public byte[] bytes() {
    Out out = new Out();
    out.u32(magic);
    out.u32(version);
    out.u64(tensorCountOverride != null ? tensorCountOverride : infos.size());
    out.u64(entryCountOverride != null ? entryCountOverride : entries.size());
    entries.forEach(e -> e.accept(out));
    infos.forEach(i -> i.accept(out));
    while (out.size() % alignment != 0) {
      out.u8(0);
    }
    out.bytes(data);
    return out.toByteArray();
  }

  /** Little-endian output. */
  static final class Out extends ByteArrayOutputStream {
    void u8(int v) {
      write(v);
    }

    void u16(int v) {
      put(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v));
    }

    void u32(long v) {
      put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v));
    }

    void u64(long v) {
      put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v));
    }

    void f32(float v) {
      put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v));
    }

    void f64(double v) {
      put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v));
    }

    void string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u64(b.length);
      bytes(b);
    }

    void bytes(byte[] b) {
      write(b, 0, b.length);
    }

    private void put(ByteBuffer b) {
      bytes(b.array());
    }
  }
}
