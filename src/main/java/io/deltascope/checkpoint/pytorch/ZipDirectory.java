package io.deltascope.checkpoint.pytorch;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.MappedFaults;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entries of a zip file, read from its central directory with ranged reads (zip64 included), so
 * that an entry's bytes can be read or mapped in place: PyTorch stores its entries uncompressed.
 *
 * @param file the zip file, for error messages
 * @param entries every entry by name, in directory order
 */
record ZipDirectory(String file, Map<String, Entry> entries) {
  private static final int LOCAL_HEADER = 0x04034b50;
  private static final int CENTRAL_HEADER = 0x02014b50;
  private static final int END = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_END = 0x06064b50;
  private static final long MAX_ENTRIES = 1_000_000;
  private static final int MAX_DIRECTORY_BYTES = 256 << 20;
  private static final long U32 = 0xFFFFFFFFL;

  /**
   * One stored entry.
   *
   * @param name its path in the zip
   * @param method 0 stored, 8 deflated
   * @param dataOffset absolute offset of its first data byte
   * @param size its (compressed) size in bytes
   */
  record Entry(String name, int method, long dataOffset, long size) {}

  static ZipDirectory read(ByteSource source) throws IOException {
    try {
      // its buffers are left to the GC; a fault in reading them is raised before this returns
      return MappedFaults.guard(
          () -> readDirectory(source),
          fault -> CheckpointException.headerChanged(source.location(), "its zip directory"));
    } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      throw CheckpointException.of(source.location(), "zip directory is damaged");
    }
  }

  private static ZipDirectory readDirectory(ByteSource source) throws IOException {
    String file = source.location();
    long size = source.size();
    long end = findEnd(source, size);
    ByteBuffer eocd = source.read(end, 22);
    long count = eocd.getShort(10) & 0xFFFF;
    long directorySize = eocd.getInt(12) & U32;
    long directoryOffset = eocd.getInt(16) & U32;
    if (end >= 20 && (count == 0xFFFF || directorySize == U32 || directoryOffset == U32)) {
      ByteBuffer locator = source.read(end - 20, 20);
      if (locator.getInt(0) == ZIP64_LOCATOR) {
        long at = locator.getLong(8);
        ByteBuffer z64 = source.read(checkRange(file, at, 56, size), 56);
        if (z64.getInt(0) != ZIP64_END) {
          throw CheckpointException.of(file, "zip64 end record missing at offset %d", at);
        }
        count = z64.getLong(32);
        directorySize = z64.getLong(40);
        directoryOffset = z64.getLong(48);
      }
    }
    if (count > MAX_ENTRIES || directorySize > MAX_DIRECTORY_BYTES) {
      throw CheckpointException.of(
          file, "zip directory of %d entries, %d bytes is absurd", count, directorySize);
    }
    checkRange(file, directoryOffset, directorySize, size);
    ByteBuffer dir = source.read(directoryOffset, (int) directorySize);
    Map<String, Entry> entries = new LinkedHashMap<>();
    int at = 0;
    for (long i = 0; i < count; i++) {
      Entry e = centralEntry(source, file, dir, at, size);
      entries.put(e.name(), e);
      // fixed part, name, extra field, comment
      at +=
          46
              + (dir.getShort(at + 28) & 0xFFFF)
              + (dir.getShort(at + 30) & 0xFFFF)
              + (dir.getShort(at + 32) & 0xFFFF);
    }
    return new ZipDirectory(file, entries);
  }

  private static long findEnd(ByteSource source, long size) throws IOException {
    if (size < 22) {
      throw CheckpointException.of(source.location(), "%d bytes: too short for a zip file", size);
    }
    int tail = (int) Math.min(size, 22 + 0xFFFF);
    ByteBuffer buffer = source.read(size - tail, tail);
    for (int i = tail - 22; i >= 0; i--) {
      if (buffer.getInt(i) == END) {
        return size - tail + i;
      }
    }
    throw CheckpointException.of(source.location(), "no zip end record: truncated or not a zip");
  }

  private static Entry centralEntry(
      ByteSource source, String file, ByteBuffer dir, int at, long fileSize) throws IOException {
    if (at + 46 > dir.limit() || dir.getInt(at) != CENTRAL_HEADER) {
      throw CheckpointException.of(file, "zip directory entry at %d is damaged", at);
    }
    int method = dir.getShort(at + 10) & 0xFFFF;
    long compressed = dir.getInt(at + 20) & U32;
    long uncompressed = dir.getInt(at + 24) & U32;
    int nameLength = dir.getShort(at + 28) & 0xFFFF;
    int extraLength = dir.getShort(at + 30) & 0xFFFF;
    long local = dir.getInt(at + 42) & U32;
    if (at + 46 + nameLength + extraLength > dir.limit()) {
      throw CheckpointException.of(file, "zip directory entry at %d runs past the directory", at);
    }
    byte[] nameBytes = new byte[nameLength];
    dir.get(at + 46, nameBytes);
    String name = new String(nameBytes, StandardCharsets.UTF_8);
    // zip64: the extra field holds, in order, whichever of the sizes and offset are 0xFFFFFFFF
    int extra = at + 46 + nameLength;
    for (int x = extra; x + 4 <= extra + extraLength; ) {
      int id = dir.getShort(x) & 0xFFFF;
      int length = dir.getShort(x + 2) & 0xFFFF;
      if (id == 1) {
        int p = x + 4;
        if (uncompressed == U32 && p + 8 <= x + 4 + length) {
          p += 8;
        }
        if (compressed == U32 && p + 8 <= x + 4 + length) {
          compressed = dir.getLong(p);
          p += 8;
        }
        if (local == U32 && p + 8 <= x + 4 + length) {
          local = dir.getLong(p);
        }
      }
      x += 4 + length;
    }
    ByteBuffer header = source.read(checkRange(file, local, 30, fileSize), 30);
    if (header.getInt(0) != LOCAL_HEADER) {
      throw CheckpointException.of(
          file, "zip entry '%s': no local header at %d", TorchPickle.shortText(name), local);
    }
    long data = local + 30 + (header.getShort(26) & 0xFFFF) + (header.getShort(28) & 0xFFFF);
    checkRange(file, data, compressed, fileSize);
    return new Entry(name, method, data, compressed);
  }

  private static long checkRange(String file, long offset, long length, long size) {
    if (offset < 0 || length < 0 || offset > size || length > size - offset) {
      throw CheckpointException.of(
          file,
          "zip range [%d, %d) runs past the end of the file (%d bytes): truncated",
          offset,
          offset + length,
          size);
    }
    return offset;
  }
}
