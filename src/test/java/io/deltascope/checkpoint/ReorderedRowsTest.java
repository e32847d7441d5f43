package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.checkpoint.gguf.RotaryRowOrder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows stored in llama.cpp's rotary order come back in HuggingFace order, whatever byte ranges the
 * reader asks for.
 */
class ReorderedRowsTest {
  static final int HEADS = 3;
  static final int ROWS = 12; // 3 heads of 4 rows
  static final int COLS = 5;

  @TempDir Path dir;

  @Test
  void readsStoredRowsBackInLogicalOrderForAnySplitOfTheRange() throws IOException {
    // logical value (r, c) = 100 r + c, stored after llama.cpp's permute:
    // w.reshape(heads, 2, rows / heads / 2, cols).swapaxes(1, 2)
    float[] stored = new float[ROWS * COLS];
    int half = ROWS / HEADS / 2;
    for (int h = 0; h < HEADS; h++) {
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < half; j++) {
          int logicalRow = h * 2 * half + i * half + j;
          int storedRow = h * 2 * half + j * 2 + i;
          for (int c = 0; c < COLS; c++) {
            stored[storedRow * COLS + c] = 100 * logicalRow + c;
          }
        }
      }
    }
    int prefix = 12; // the tensor does not start at byte 0
    ByteBuffer bytes =
        ByteBuffer.allocate(prefix + 4 * stored.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.position(prefix);
    for (float v : stored) {
      bytes.putFloat(v);
    }
    Path file = dir.resolve("t.bin");
    Files.write(file, bytes.array());
    TensorInfo tensor =
        new TensorInfo(
            "t",
            DType.F32,
            Shape.of(ROWS, COLS),
            file.toString(),
            prefix,
            4L * stored.length,
            new RotaryRowOrder(HEADS));

    try (ByteSource source = Locations.open(file.toString())) {
      ReorderedRows view = new ReorderedRows(source, tensor);
      for (int piece : new int[] {4, 8, 20, 28, 52, 240}) {
        for (int at = 0; at < 4 * stored.length; at += piece) {
          int length = Math.min(piece, 4 * stored.length - at);
          ByteBuffer got = view.read(prefix + at, length);
          for (int k = 0; k < length / 4; k++) {
            int index = at / 4 + k;
            assertThat(got.getFloat(4 * k))
                .as("piece %d, value %d", piece, index)
                .isEqualTo(100f * (index / COLS) + index % COLS);
          }
        }
      }
      double[] all = new double[ROWS * COLS];
      assertThat(new TensorReader(source, tensor, tensor.elementCount()).read(all))
          .isEqualTo(all.length);
      for (int index = 0; index < all.length; index++) {
        assertThat(all[index]).isEqualTo(100.0 * (index / COLS) + index % COLS);
      }
    }
  }
}
