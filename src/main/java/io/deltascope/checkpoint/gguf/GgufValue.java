package io.deltascope.checkpoint.gguf;

import java.util.List;

/**
 * One metadata value: integers as {@link Long} (uint64 beyond 2^63 wraps, as Java's unsigned longs
 * do), float32 as {@link Float}, float64 as {@link Double}, bool as {@link Boolean}, strings as
 * {@link String}, arrays as a {@link List} of {@link GgufValue}s (arrays of arrays nest).
 *
 * @param type the stored type
 * @param value the value as above
 */
public record GgufValue(GgufValueType type, Object value) {

  /** The value as a long, for any integer type; null otherwise. */
  public Long asLong() {
    return type.isInteger() ? (Long) value : null;
  }

  /** The value as a double, for any number; null otherwise. */
  public Double asDouble() {
    if (type.isInteger()) {
      return ((Long) value).doubleValue();
    }
    return value instanceof Number n && type != GgufValueType.BOOL ? n.doubleValue() : null;
  }

  /** The string, or null for other types. */
  public String asString() {
    return type == GgufValueType.STRING ? (String) value : null;
  }

  /** The elements of an array, or null for other types. */
  @SuppressWarnings("unchecked")
  public List<GgufValue> asArray() {
    return type == GgufValueType.ARRAY ? (List<GgufValue>) value : null;
  }

  /** Short text for listings: the value, or "[N values]" for an array. */
  public String display() {
    return type == GgufValueType.ARRAY
        ? "[" + asArray().size() + " values]"
        : String.valueOf(value);
  }
}
