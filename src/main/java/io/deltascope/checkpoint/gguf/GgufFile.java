package io.deltascope.checkpoint.gguf;

import io.deltascope.checkpoint.ByteRanges;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.MappedFaults;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header of one GGUF file (llama.cpp's format), validated before anything in it is trusted.
 * Tensor data is not read here.
 *
 * <p>Layout, little-endian: magic "GGUF", uint32 version (2 or 3), uint64 tensor count, uint64
 * metadata count; the metadata (string key, uint32 value type, value); the tensor infos (string
 * name, uint32 n_dims, uint64 dims innermost first, uint32 ggml type, uint64 offset relative to the
 * data section); padding to {@code general.alignment} (default 32); the data section.
 *
 * @param location the file
 * @param version the GGUF version
 * @param metadata every metadata entry, in file order
 * @param tensors the tensors in file order, with absolute offsets
 * @param alignment the data alignment
 * @param dataStart absolute offset of the data section
 * @param fileSize the file's size in bytes
 */
public record GgufFile(
    String location,
    int version,
    Map<String, GgufValue> metadata,
    List<GgufTensor> tensors,
    int alignment,
    long dataStart,
    long fileSize) {

  /** "GGUF" read as a little-endian uint32. */
  public static final int MAGIC = 0x46554747;

  public static final String ALIGNMENT_KEY = "general.alignment";
  public static final String ARCHITECTURE_KEY = "general.architecture";
  public static final int DEFAULT_ALIGNMENT = 32;

  /** ggml tensors have at most four dimensions. */
  static final int MAX_DIMS = 4;

  // the fewest bytes a metadata entry (key length, type, one byte of value) and a tensor info
  // (name length, n_dims, type, offset) occupy: what bounds their counts by the file's size
  private static final int MIN_ENTRY_BYTES = 8 + 4 + 1;
  private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;
  // arrays nest; ggml's own reader stops far sooner
  private static final int MAX_NESTING = 64;

  public static GgufFile read(String location) {
    try (ByteSource source = Locations.open(location)) {
      return read(source);
    } catch (IOException e) {
      throw CheckpointException.of(location, "cannot read: %s", e.getMessage());
    }
  }

  /** Whether the file at {@code location} starts with the GGUF magic. */
  public static boolean hasMagic(String location) {
    try (ByteSource source = Locations.open(location)) {
      if (source.size() < 4) {
        return false;
      }
      byte[] head = source.bytes(0, 4);
      return java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
          == MAGIC;
    } catch (IOException e) {
      return false;
    }
  }

  public static GgufFile read(ByteSource source) throws IOException {
    GgufCursor in = new GgufCursor(source);
    // the cursor's last window is released on close, inside the guard
    return MappedFaults.guard(
        () -> {
          try (in) {
            return read(source.location(), in);
          }
        },
        fault -> CheckpointException.headerChanged(source.location(), in.context()));
  }

  /** The value of {@code key}, or null. */
  public GgufValue get(String key) {
    return metadata.get(key);
  }

  /** {@code general.architecture} ("llama"), or "" when absent. */
  public String architecture() {
    GgufValue v = metadata.get(ARCHITECTURE_KEY);
    return v == null || v.asString() == null ? "" : v.asString();
  }

  private static GgufFile read(String file, GgufCursor in) {
    if (in.size() < 4 + 4 + 8 + 8) {
      throw CheckpointException.of(
          file, "truncated: %d bytes, too short for a GGUF header (24 bytes)", in.size());
    }
    int magic = in.i32();
    if (magic != MAGIC) {
      throw CheckpointException.of(
          file,
          "bad magic 0x%08x: not a GGUF file (expected \"GGUF\")",
          Integer.reverseBytes(magic));
    }
    int version = version(file, in.i32());
    long tensorCount = in.u64();
    long entryCount = in.u64();
    checkCount(file, in, "metadata count", entryCount, MIN_ENTRY_BYTES);
    checkCount(file, in, "tensor count", tensorCount, MIN_TENSOR_INFO_BYTES);
    Map<String, GgufValue> metadata = new LinkedHashMap<>();
    for (long i = 0; i < entryCount; i++) {
      in.context(String.format("metadata entry %d of %d", i + 1, entryCount));
      String key = in.string();
      in.context(String.format("metadata '%s'", key));
      GgufValue value = value(in, in.u32(), 0);
      if (metadata.put(key, value) != null) {
        throw in.fail("key appears twice");
      }
    }
    int alignment = alignment(in, metadata.get(ALIGNMENT_KEY));
    List<long[]> layout = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<DType> types = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (long i = 0; i < tensorCount; i++) {
      in.context(String.format("tensor info %d of %d", i + 1, tensorCount));
      String name = in.string();
      in.context(String.format("tensor '%s'", name));
      if (!seen.add(name)) {
        throw in.fail("name appears twice");
      }
      long nDims = in.u32();
      if (nDims > MAX_DIMS) {
        throw in.fail("%d dimensions (ggml allows at most %d)", nDims, MAX_DIMS);
      }
      long[] dims = new long[(int) nDims + 2];
      for (int d = 0; d < nDims; d++) {
        dims[d] = in.u64();
        if (dims[d] < 0) {
          throw in.fail("dimension %s is negative or too large", Long.toUnsignedString(dims[d]));
        }
      }
      long typeId = in.u32();
      DType type = GgmlTypes.byId(typeId);
      if (type == null) {
        throw in.fail("unknown ggml type %d", typeId);
      }
      dims[(int) nDims] = typeId;
      dims[(int) nDims + 1] = in.u64();
      names.add(name);
      types.add(type);
      layout.add(dims);
    }
    long dataStart = alignUp(in.position(), alignment);
    if (dataStart > in.size() && tensorCount > 0) {
      throw CheckpointException.of(
          file,
          "truncated: the data section would start at byte %d, past the end of the file (%d bytes)",
          dataStart,
          in.size());
    }
    List<GgufTensor> tensors = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      tensors.add(
          tensor(file, names.get(i), types.get(i), layout.get(i), alignment, dataStart, in.size()));
    }
    ByteRanges.checkNoOverlap(
        file, tensors, GgufTensor::name, GgufTensor::offset, GgufTensor::byteLength, dataStart);
    return new GgufFile(
        file,
        version,
        Collections.unmodifiableMap(metadata),
        List.copyOf(tensors),
        alignment,
        dataStart,
        in.size());
  }

  private static int version(String file, int version) {
    if (version == 2 || version == 3) {
      return version;
    }
    if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
      throw CheckpointException.of(
          file,
          "big-endian GGUF (version %d byte-swapped) is not supported",
          Integer.reverseBytes(version));
    }
    if (version == 1) {
      throw CheckpointException.of(
          file, "GGUF version 1 is not supported (only 2 and 3; convert it with llama.cpp)");
    }
    throw CheckpointException.of(
        file,
        "GGUF version %s is not supported (expected 2 or 3)",
        Integer.toUnsignedString(version));
  }

  private static void checkCount(
      String file, GgufCursor in, String what, long count, int minBytes) {
    long most = in.remaining() / minBytes;
    if (count < 0 || count > most) {
      throw CheckpointException.of(
          file,
          "%s %s is absurd: the remaining %d bytes of the file hold at most %d (or it is truncated)",
          what,
          Long.toUnsignedString(count),
          in.remaining(),
          most);
    }
  }

  private static GgufValue value(GgufCursor in, long typeId, int depth) {
    GgufValueType type = GgufValueType.byId(typeId);
    if (type == null) {
      throw in.fail("unknown value type %d", typeId);
    }
    return switch (type) {
      case UINT8 -> new GgufValue(type, (long) in.u8());
      case INT8 -> new GgufValue(type, (long) (byte) in.u8());
      case UINT16 -> new GgufValue(type, (long) in.u16());
      case INT16 -> new GgufValue(type, (long) (short) in.u16());
      case UINT32 -> new GgufValue(type, in.u32());
      case INT32 -> new GgufValue(type, (long) in.i32());
      case UINT64, INT64 -> new GgufValue(type, in.u64());
      case FLOAT32 -> new GgufValue(type, in.f32());
      case FLOAT64 -> new GgufValue(type, in.f64());
      case BOOL -> new GgufValue(type, in.u8() != 0);
      case STRING -> new GgufValue(type, in.string());
      case ARRAY -> array(in, depth);
    };
  }

  private static GgufValue array(GgufCursor in, int depth) {
    if (depth >= MAX_NESTING) {
      throw in.fail("arrays nested more than %d deep", MAX_NESTING);
    }
    long elementTypeId = in.u32();
    GgufValueType elementType = GgufValueType.byId(elementTypeId);
    if (elementType == null) {
      throw in.fail("array of unknown value type %d", elementTypeId);
    }
    long count = in.u64();
    long most = in.remaining() / elementType.minBytes();
    if (count < 0 || count > most) {
      throw in.fail(
          "array count %s is absurd: the remaining %d bytes hold at most %d %s values",
          Long.toUnsignedString(count), in.remaining(), most, elementType);
    }
    List<GgufValue> values = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      values.add(value(in, elementTypeId, depth + 1));
    }
    return new GgufValue(GgufValueType.ARRAY, Collections.unmodifiableList(values));
  }

  private static int alignment(GgufCursor in, GgufValue value) {
    if (value == null) {
      return DEFAULT_ALIGNMENT;
    }
    in.context("metadata '" + ALIGNMENT_KEY + "'");
    Long a = value.asLong();
    if (value.type() != GgufValueType.UINT32 || a == null || a == 0 || Long.bitCount(a) != 1) {
      throw in.fail(
          "%s %s is not a power of two (expected a uint32)", value.type(), value.display());
    }
    return Math.toIntExact(a);
  }

  private static GgufTensor tensor(
      String file,
      String name,
      DType type,
      long[] layout,
      int alignment,
      long dataStart,
      long fileSize) {
    int nDims = layout.length - 2;
    long[] dims = java.util.Arrays.copyOf(layout, nDims);
    int typeId = (int) layout[nDims];
    long relative = layout[nDims + 1];
    if (nDims > 0 && dims[0] % type.elementsPerBlock() != 0) {
      throw CheckpointException.of(
          file,
          "tensor '%s': innermost dimension %d is not a multiple of %s's block of %d values",
          name,
          dims[0],
          type,
          type.elementsPerBlock());
    }
    long bytes;
    try {
      long elements = 1;
      for (long d : dims) {
        elements = Math.multiplyExact(elements, d);
      }
      bytes = type.byteLength(elements);
    } catch (ArithmeticException e) {
      throw CheckpointException.of(
          file,
          "tensor '%s': dims %s are too large or do not fill whole %s blocks",
          name,
          java.util.Arrays.toString(dims),
          type);
    }
    if (relative < 0 || relative % alignment != 0) {
      throw CheckpointException.of(
          file,
          "tensor '%s': data offset %s is not a multiple of the alignment %d",
          name,
          Long.toUnsignedString(relative),
          alignment);
    }
    long dataSize = fileSize - dataStart;
    if (relative > dataSize || bytes > dataSize - relative) {
      throw CheckpointException.of(
          file,
          "tensor '%s': data [%d, %d) runs past the data section (%d bytes): truncated file",
          name,
          relative,
          relative + bytes,
          Math.max(0, dataSize));
    }
    return new GgufTensor(name, type, typeId, dims, dataStart + relative, bytes);
  }

  static long alignUp(long offset, int alignment) {
    return (offset + alignment - 1) / alignment * alignment;
  }
}
