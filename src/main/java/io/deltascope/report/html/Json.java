package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.checkpoint.TensorRole;
import java.util.ArrayList;
import java.util.List;

/** Null-tolerant reads from the commands' JSON documents: a missing field is null, not an error. */
final class Json {
  private Json() {}

  static Double dbl(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || !v.isNumber() ? null : v.asDouble();
  }

  static Integer integer(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || !v.isNumber() ? null : v.asInt();
  }

  /**
   * A weight-diff tensor's or component's block: its {@code layer}, null for the embeddings' -1 as
   * for the other tensors outside the blocks.
   */
  static Integer block(JsonNode node) {
    return TensorRole.block(integer(node, "layer"));
  }

  static long lng(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || !v.isNumber() ? 0 : v.asLong();
  }

  static String str(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The elements of an array field; empty when absent. */
  static List<JsonNode> list(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    List<JsonNode> out = new ArrayList<>();
    if (v != null && v.isArray()) {
      v.forEach(out::add);
    }
    return out;
  }

  /** A numeric array field as doubles (null entries as NaN); empty when absent. */
  static List<Double> doubles(JsonNode node, String field) {
    return list(node, field).stream().map(n -> n.isNumber() ? n.asDouble() : Double.NaN).toList();
  }

  static boolean has(JsonNode node, String field) {
    return node != null && node.hasNonNull(field);
  }
}
