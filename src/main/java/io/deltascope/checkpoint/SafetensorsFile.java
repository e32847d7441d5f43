package io.deltascope.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of one safetensors file, validated before anything in it is trusted.
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON, then the data section. Every
 * tensor's {@code data_offsets} are relative to the data section.
 *
 * @param location the file
 * @param tensors tensors in header order, with absolute offsets
 * @param metadata the {@code __metadata__} string map (empty when absent)
 */
public record SafetensorsFile(
    String location, List<TensorInfo> tensors, Map<String, String> metadata)
    implements WeightsFile {

  /** safetensors itself refuses headers over 100 MB; so do we, before allocating anything. */
  static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  public static SafetensorsFile read(String location) {
    try (ByteSource source = Locations.open(location)) {
      return read(source);
    } catch (IOException e) {
      throw CheckpointException.of(location, "cannot read: %s", Locations.describe(e));
    }
  }

  public static SafetensorsFile read(ByteSource source) throws IOException {
    String file = source.location();
    long fileSize = source.size();
    if (fileSize < 8) {
      throw CheckpointException.of(
          file,
          "truncated: %d bytes, too short for the 8-byte safetensors header length",
          fileSize);
    }
    long headerLength = readLong(source, 0);
    if (headerLength <= 1 || headerLength > MAX_HEADER_BYTES) {
      throw CheckpointException.of(
          file,
          "header length %d is not a safetensors header length (expected 2 to %d bytes)",
          headerLength,
          MAX_HEADER_BYTES);
    }
    if (8 + headerLength > fileSize) {
      throw CheckpointException.of(
          file,
          "header length %d runs past the end of the file (%d bytes): truncated or not safetensors",
          headerLength,
          fileSize);
    }
    JsonNode header = parseHeader(source, (int) headerLength);
    long dataStart = 8 + headerLength;
    return parse(file, header, dataStart, fileSize - dataStart);
  }

  private static long readLong(ByteSource source, long offset) throws IOException {
    return ByteBuffer.wrap(source.bytes(offset, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  private static JsonNode parseHeader(ByteSource source, int length) throws IOException {
    byte[] bytes = source.bytes(8, length);
    String text = new String(bytes, StandardCharsets.UTF_8);
    try {
      JsonNode node = JSON.readTree(text.stripTrailing());
      if (node == null || !node.isObject()) {
        throw CheckpointException.of(source.location(), "header is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw CheckpointException.of(
          source.location(),
          "header is not valid JSON: %s",
          e.getOriginalMessage().replace('\n', ' '));
    }
  }

  private static SafetensorsFile parse(
      String file, JsonNode header, long dataStart, long dataSize) {
    List<TensorInfo> tensors = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getKey().equals("__metadata__")) {
        readMetadata(file, field.getValue(), metadata);
      } else {
        tensors.add(tensor(file, field.getKey(), field.getValue(), dataStart, dataSize));
      }
    }
    ByteRanges.checkNoOverlap(
        file, tensors, TensorInfo::name, TensorInfo::offset, TensorInfo::byteLength, dataStart);
    return new SafetensorsFile(file, List.copyOf(tensors), Map.copyOf(metadata));
  }

  private static void readMetadata(String file, JsonNode node, Map<String, String> into) {
    if (!node.isObject()) {
      throw CheckpointException.of(file, "__metadata__ is not a JSON object");
    }
    node.fields().forEachRemaining(e -> into.put(e.getKey(), e.getValue().asText()));
  }

  private static TensorInfo tensor(
      String file, String name, JsonNode entry, long dataStart, long dataSize) {
    if (!entry.isObject()) {
      throw CheckpointException.of(file, "tensor '%s': entry is not a JSON object", name);
    }
    JsonNode dtypeNode = entry.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw CheckpointException.of(file, "tensor '%s': missing dtype", name);
    }
    DType dtype = DType.fromSafetensors(dtypeNode.asText());
    if (dtype == null || dtype.elementsPerBlock() != 1) {
      throw CheckpointException.of(
          file, "tensor '%s': unknown dtype '%s'", name, dtypeNode.asText());
    }
    Shape shape = shape(file, name, entry.get("shape"));
    long[] range = offsets(file, name, entry.get("data_offsets"));
    if (range[1] > dataSize) {
      throw CheckpointException.of(
          file,
          "tensor '%s': data_offsets [%d, %d] run past the data section (%d bytes): truncated file",
          name,
          range[0],
          range[1],
          dataSize);
    }
    long expected = expectedBytes(file, name, shape, dtype);
    if (range[1] - range[0] != expected) {
      throw CheckpointException.of(
          file,
          "tensor '%s': data_offsets [%d, %d] hold %d bytes, but shape %s of %s needs %d",
          name,
          range[0],
          range[1],
          range[1] - range[0],
          shape,
          dtype,
          expected);
    }
    return new TensorInfo(name, dtype, shape, file, dataStart + range[0], range[1] - range[0]);
  }

  private static Shape shape(String file, String name, JsonNode node) {
    if (node == null || !node.isArray()) {
      throw CheckpointException.of(file, "tensor '%s': missing shape", name);
    }
    long[] dims = new long[node.size()];
    for (int i = 0; i < dims.length; i++) {
      JsonNode d = node.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw CheckpointException.of(file, "tensor '%s': bad shape %s", name, node);
      }
      dims[i] = d.asLong();
    }
    return Shape.of(dims);
  }

  private static long[] offsets(String file, String name, JsonNode node) {
    if (node == null || !node.isArray() || node.size() != 2) {
      throw CheckpointException.of(file, "tensor '%s': data_offsets must be [begin, end]", name);
    }
    long begin = offset(file, name, node, node.get(0));
    long end = offset(file, name, node, node.get(1));
    if (end < begin) {
      throw CheckpointException.of(file, "tensor '%s': bad data_offsets %s", name, node);
    }
    return new long[] {begin, end};
  }

  // a u64, as safetensors declares it; above 2^63 - 1 it could not lie in any file
  private static long offset(String file, String name, JsonNode offsets, JsonNode value) {
    if (!value.isIntegralNumber() || value.bigIntegerValue().signum() < 0) {
      throw CheckpointException.of(file, "tensor '%s': bad data_offsets %s", name, offsets);
    }
    if (value.bigIntegerValue().bitLength() > 64) {
      throw CheckpointException.of(
          file, "tensor '%s': data_offsets %s: %s is not a u64", name, offsets, value);
    }
    if (!value.canConvertToLong()) {
      throw CheckpointException.of(
          file, "tensor '%s': data_offsets %s run past any file", name, offsets);
    }
    return value.asLong();
  }

  private static long expectedBytes(String file, String name, Shape shape, DType dtype) {
    try {
      return dtype.byteLength(shape.elementCount());
    } catch (ArithmeticException e) {
      throw CheckpointException.of(file, "tensor '%s': shape %s is too large", name, shape);
    }
  }
}
