package io.deltascope.checkpoint.gguf;

/** The types of GGUF metadata values, by their ids in the file. */
public enum GgufValueType {
  UINT8(0, 1),
  INT8(1, 1),
  UINT16(2, 2),
  INT16(3, 2),
  UINT32(4, 4),
  INT32(5, 4),
  FLOAT32(6, 4),
  BOOL(7, 1),
  /** uint64 length, then that many UTF-8 bytes. */
  STRING(8, 8),
  /** uint32 element type, uint64 count, then the elements (arrays of arrays nest). */
  ARRAY(9, 12),
  UINT64(10, 8),
  INT64(11, 8),
  FLOAT64(12, 8);

  private static final GgufValueType[] BY_ID = new GgufValueType[13];

  static {
    for (GgufValueType t : values()) {
      BY_ID[t.id] = t;
    }
  }

  private final int id;
  private final int minBytes;

  GgufValueType(int id, int minBytes) {
    this.id = id;
    this.minBytes = minBytes;
  }

  public int id() {
    return id;
  }

  /** The fewest bytes one value of this type occupies: what bounds array counts by the file. */
  int minBytes() {
    return minBytes;
  }

  /** The type with this id, or null. */
  public static GgufValueType byId(long id) {
    return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
  }

  public boolean isInteger() {
    return switch (this) {
      case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
      default -> false;
    };
  }
}
