package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @TempDir Path dir;

  private static final String GOOD =
      "{\"__metadata__\":{\"format\":\"pt\"},"
          + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
          + "\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}";

  @Test
  void readsTensorsWithAbsoluteOffsetsAndKeepsMetadata() {
    Path file =
        RawSafetensors.write(dir.resolve("m.safetensors"), GOOD, RawSafetensors.f32(1, 2, 3));
    SafetensorsFile st = SafetensorsFile.read(file.toString());
    long dataStart = 8 + GOOD.length();
    assertThat(st.metadata()).containsEntry("format", "pt");
    assertThat(st.tensors())
        .containsExactly(
            new TensorInfo("a", DType.F32, Shape.of(2), file.toString(), dataStart, 8),
            new TensorInfo("b", DType.F32, Shape.of(1, 1), file.toString(), dataStart + 8, 4));
  }

  @Test
  void readsARealCheckpointHeader() {
    SafetensorsFile st =
        SafetensorsFile.read(Fixtures.model("llama-base").resolve("model.safetensors").toString());
    assertThat(st.tensors()).hasSize(39);
    TensorInfo embed =
        st.tensors().stream()
            .filter(t -> t.name().equals("model.embed_tokens.weight"))
            .findFirst()
            .orElseThrow();
    assertThat(embed.dtype()).isEqualTo(DType.BF16);
    assertThat(embed.shape()).isEqualTo(Shape.of(1024, 128));
    assertThat(embed.byteLength()).isEqualTo(1024 * 128 * 2);
  }

  @Test
  void refusesAFileShorterThanTheLengthField() throws Exception {
    Path file = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
    assertError(file, "truncated: 3 bytes");
  }

  @Test
  void refusesAHeaderLengthBeyondTheFile() {
    Path file = RawSafetensors.write(dir.resolve("x.safetensors"), 5000, GOOD, new byte[12]);
    assertError(file, "header length 5000 runs past the end of the file");
  }

  @Test
  void refusesAnAbsurdHeaderLength() {
    Path file = RawSafetensors.write(dir.resolve("x.safetensors"), -7, GOOD, new byte[12]);
    assertError(file, "header length -7 is not a safetensors header length");
  }

  @Test
  void refusesMalformedJson() {
    Path file = RawSafetensors.write(dir.resolve("x.safetensors"), "{\"a\": [1, ", new byte[0]);
    assertError(file, "header is not valid JSON");
  }

  @Test
  void refusesAHeaderThatIsNotAnObject() {
    Path file = RawSafetensors.write(dir.resolve("x.safetensors"), "[1, 2]", new byte[0]);
    assertError(file, "header is not a JSON object");
  }

  @Test
  void refusesAnUnknownDtype() {
    String header = "{\"a\":{\"dtype\":\"F12\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    Path file = RawSafetensors.write(dir.resolve("x.safetensors"), header, new byte[8]);
    assertError(file, "tensor 'a': unknown dtype 'F12'");
  }

  @Test
  void refusesOffsetsPastTheDataSection() {
    String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
    Path file = RawSafetensors.write(dir.resolve("x.safetensors"), header, new byte[8]);
    assertError(file, "data_offsets [0, 16] run past the data section (8 bytes)");
  }

  @Test
  void refusesNegativeOrReversedOffsets() {
    String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}";
    Path file = RawSafetensors.write(dir.resolve("x.safetensors"), header, new byte[8]);
    assertError(file, "tensor 'a': bad data_offsets [8,4]");
  }

  @Test
  void refusesOverlappingTensors() {
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
    Path file = RawSafetensors.write(dir.resolve("x.safetensors"), header, new byte[12]);
    assertError(file, "tensors 'a' [0, 8) and 'b' [4, 12) overlap");
  }

  @Test
  void refusesAByteSizeThatDisagreesWithShapeAndDtype() {
    String header = "{\"a\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}";
    Path file = RawSafetensors.write(dir.resolve("x.safetensors"), header, new byte[8]);
    assertError(file, "hold 8 bytes, but shape [3] of BF16 needs 6");
  }

  @Test
  void refusesABadShape() {
    String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}";
    Path file = RawSafetensors.write(dir.resolve("x.safetensors"), header, new byte[8]);
    assertError(file, "tensor 'a': bad shape [-2]");
  }

  @Test
  void refusesAMissingFile() {
    assertError(dir.resolve("missing.safetensors"), "no such file");
  }

  private static void assertError(Path file, String problem) {
    assertThatThrownBy(() -> SafetensorsFile.read(file.toString()))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(file.toString() + ": ")
        .hasMessageContaining(problem)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void dataOffsetsBeyondU64AreRefusedNotWrapped() {
    // 2^64 + 8 wraps to 8 as a long: it must not read as [0, 8]
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551624]}}";
    Path file =
        RawSafetensors.write(dir.resolve("wrap.safetensors"), header, RawSafetensors.f32(1, 2));
    assertError(
        file,
        "tensor 'a': data_offsets [0,18446744073709551624]: 18446744073709551624 is not a u64");
    String big =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551615]}}";
    Path u64 = RawSafetensors.write(dir.resolve("u64.safetensors"), big, RawSafetensors.f32(1, 2));
    assertError(u64, "run past any file");
  }
}
