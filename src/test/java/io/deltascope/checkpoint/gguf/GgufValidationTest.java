package io.deltascope.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GGUF headers are checked before anything in them is trusted; each problem is one clear line. */
class GgufValidationTest {
  static final int F32 = 0;
  static final int Q4_0 = 2;
  static final int IQ2_XXS = 16;

  @TempDir Path dir;

  /** A valid file: one F32 tensor of 2 x 8 values and a name. */
  static TinyGguf valid() {
    return new TinyGguf()
        .entry("general.architecture", 8, out -> out.string("llama"))
        .tensor("t", new long[] {8, 2}, F32, 0)
        .data(new byte[64]);
  }

  Path write(TinyGguf gguf) throws IOException {
    return write(gguf.bytes());
  }

  Path write(byte[] bytes) throws IOException {
    Path file = dir.resolve("model.gguf");
    Files.write(file, bytes);
    return file;
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void readsEveryMetadataValueTypeInVersions2And3(int version) throws IOException {
    TinyGguf gguf = valid();
    gguf.version = version;
    gguf.entry("u8", 0, out -> out.u8(250))
        .entry("i8", 1, out -> out.u8(0xfe))
        .entry("u16", 2, out -> out.u16(65000))
        .entry("i16", 3, out -> out.u16(-3))
        .entry("u32", 4, out -> out.u32(4_000_000_000L))
        .entry("i32", 5, out -> out.u32(-5))
        .entry("f32", 6, out -> out.f32(1e-5f))
        .entry("bool", 7, out -> out.u8(1))
        .entry("string", 8, out -> out.string("héllo"))
        .entry("u64", 10, out -> out.u64(1L << 40))
        .entry("i64", 11, out -> out.u64(-7))
        .entry("f64", 12, out -> out.f64(0.1))
        .entry(
            "strings",
            9,
            out -> {
              out.u32(8);
              out.u64(2);
              out.string("a");
              out.string("bc");
            })
        .entry(
            "nested",
            9,
            out -> { // [[1, 2], [3]] of int32
              out.u32(9);
              out.u64(2);
              out.u32(5);
              out.u64(2);
              out.u32(1);
              out.u32(2);
              out.u32(5);
              out.u64(1);
              out.u32(3);
            });

    GgufFile file = GgufFile.read(write(gguf).toString());

    assertThat(file.version()).isEqualTo(version);
    assertThat(file.get("u8").asLong()).isEqualTo(250);
    assertThat(file.get("i8").asLong()).isEqualTo(-2);
    assertThat(file.get("u16").asLong()).isEqualTo(65000);
    assertThat(file.get("i16").asLong()).isEqualTo(-3);
    assertThat(file.get("u32").asLong()).isEqualTo(4_000_000_000L);
    assertThat(file.get("i32").asLong()).isEqualTo(-5);
    assertThat(file.get("f32").value()).isEqualTo(1e-5f);
    assertThat(file.get("bool").value()).isEqualTo(true);
    assertThat(file.get("string").asString()).isEqualTo("héllo");
    assertThat(file.get("u64").asLong()).isEqualTo(1L << 40);
    assertThat(file.get("i64").asLong()).isEqualTo(-7);
    assertThat(file.get("f64").asDouble()).isEqualTo(0.1);
    assertThat(file.get("strings").asArray())
        .extracting(GgufValue::asString)
        .containsExactly("a", "bc");
    List<GgufValue> nested = file.get("nested").asArray();
    assertThat(nested).hasSize(2);
    assertThat(nested.get(0).asArray()).extracting(GgufValue::asLong).containsExactly(1L, 2L);
    assertThat(nested.get(1).asArray()).extracting(GgufValue::asLong).containsExactly(3L);
    assertThat(file.tensors()).hasSize(1);
    assertThat(file.tensors().get(0).shape().dims()).containsExactly(2, 8);
  }

  @Test
  void honoursGeneralAlignment() throws IOException {
    TinyGguf gguf =
        new TinyGguf()
            .entry("general.alignment", 4, out -> out.u32(64))
            .tensor("a", new long[] {4}, F32, 0)
            .tensor("b", new long[] {4}, F32, 64)
            .data(new byte[80]);
    gguf.alignment = 64;

    GgufFile file = GgufFile.read(write(gguf).toString());

    assertThat(file.alignment()).isEqualTo(64);
    assertThat(file.dataStart() % 64).isZero();
    assertThat(file.tensors().get(1).offset()).isEqualTo(file.dataStart() + 64);
  }

  @Test
  void rejectsATruncatedHeader() throws IOException {
    byte[] whole = valid().bytes();
    Path file = write(java.util.Arrays.copyOf(whole, 60));

    assertFails(
        file,
        "metadata 'general.architecture': truncated: needs 8 bytes at byte 56, but the file ends at"
            + " 60");
  }

  @Test
  void rejectsTensorDataCutShort() throws IOException {
    byte[] whole = valid().bytes();
    Path file = write(java.util.Arrays.copyOf(whole, whole.length - 8));

    assertFails(file, "tensor 't': data [0, 64) runs past the data section (56 bytes)");
  }

  @Test
  void rejectsAFileTooShortForTheHeader() throws IOException {
    assertFails(write(new byte[] {'G', 'G', 'U', 'F', 3, 0}), "too short for a GGUF header");
  }

  @Test
  void rejectsABadMagic() throws IOException {
    TinyGguf gguf = valid();
    gguf.magic = 0x58554747; // "GGUX"

    assertFails(write(gguf), "bad magic 0x47475558: not a GGUF file");
  }

  @Test
  void rejectsUnsupportedVersions() throws IOException {
    TinyGguf gguf = valid();
    gguf.version = 1;
    assertFails(write(gguf), "GGUF version 1 is not supported");
    gguf.version = 7;
    assertFails(write(gguf), "GGUF version 7 is not supported (expected 2 or 3)");
    gguf.version = Integer.reverseBytes(3);
    assertFails(write(gguf), "big-endian GGUF");
  }

  @Test
  void rejectsAbsurdCounts() throws IOException {
    TinyGguf tensors = valid();
    tensors.tensorCountOverride = 1L << 40;
    assertFails(write(tensors), "tensor count 1099511627776 is absurd");

    TinyGguf entries = valid();
    entries.entryCountOverride = -1L;
    assertFails(write(entries), "metadata count 18446744073709551615 is absurd");

    TinyGguf array =
        valid()
            .entry(
                "big",
                9,
                out -> {
                  out.u32(10);
                  out.u64(1L << 50);
                });
    assertFails(write(array), "metadata 'big': array count 1125899906842624 is absurd");

    TinyGguf string = valid().entry("s", 8, out -> out.u64(1L << 33));
    assertFails(write(string), "metadata 's': string length 8589934592 at byte");
  }

  @Test
  void rejectsAMisalignedOffset() throws IOException {
    TinyGguf gguf = new TinyGguf().tensor("t", new long[] {4}, F32, 4).data(new byte[64]);

    assertFails(write(gguf), "tensor 't': data offset 4 is not a multiple of the alignment 32");
  }

  @Test
  void rejectsAnUnknownGgmlType() throws IOException {
    TinyGguf gguf = new TinyGguf().tensor("t", new long[] {32}, 99, 0).data(new byte[64]);

    assertFails(write(gguf), "tensor 't': unknown ggml type 99");
  }

  @Test
  void rejectsAnUnknownValueType() throws IOException {
    TinyGguf gguf = valid().entry("odd", 13, out -> out.u32(0));

    assertFails(write(gguf), "metadata 'odd': unknown value type 13");
  }

  @Test
  void rejectsBadShapesAndLayouts() throws IOException {
    assertFails(
        write(new TinyGguf().tensor("q", new long[] {48, 2}, Q4_0, 0).data(new byte[64])),
        "tensor 'q': innermost dimension 48 is not a multiple of Q4_0's block of 32 values");
    assertFails(
        write(new TinyGguf().tensor("t", new long[] {1, 1, 1, 1, 1}, F32, 0).data(new byte[32])),
        "tensor 't': 5 dimensions (ggml allows at most 4)");
    assertFails(
        write(
            new TinyGguf()
                .tensor("a", new long[] {16}, F32, 0)
                .tensor("b", new long[] {16}, F32, 32)
                .data(new byte[96])),
        "tensors 'a' [0, 64) and 'b' [32, 96) overlap");
    assertFails(
        write(
            new TinyGguf()
                .tensor("a", new long[] {4}, F32, 0)
                .tensor("a", new long[] {4}, F32, 32)
                .data(new byte[64])),
        "tensor 'a': name appears twice");
    assertFails(
        write(valid().entry("general.alignment", 4, out -> out.u32(48))),
        "metadata 'general.alignment': UINT32 48 is not a power of two");
  }

  @Test
  void listsAKnownButUnsupportedTypeAndNamesItWhenValuesAreNeeded() throws IOException {
    Path file = write(new TinyGguf().tensor("iq", new long[] {256}, IQ2_XXS, 0).data(new byte[96]));

    TensorInfo t = Checkpoint.open(file.toString()).tensor("iq");

    assertThat(t.dtype()).isEqualTo(DType.IQ2_XXS);
    assertThat(t.dtype().isDecodable()).isFalse();
    assertThat(t.byteLength()).isEqualTo(66);
    assertThatThrownBy(() -> new TensorReader(Locations.open(file.toString()), t, 256))
        .isInstanceOf(CheckpointException.class)
        .hasMessage(
            file
                + ": tensor 'iq': unsupported type IQ2_XXS: deltascope cannot decode it to numbers");
  }

  @Test
  void aFileWithoutAnOutputHeadTiesItToTheEmbedding() throws IOException {
    TinyGguf gguf =
        new TinyGguf()
            .entry("general.architecture", 8, out -> out.string("llama"))
            .entry("llama.block_count", 4, out -> out.u32(1))
            .entry(
                "tokenizer.ggml.tokens",
                9,
                out -> {
                  out.u32(8);
                  out.u64(3);
                  out.string("a");
                  out.string("b");
                  out.string("c");
                })
            .tensor("token_embd.weight", new long[] {8, 3}, F32, 0)
            .tensor("blk.0.ffn_up.weight", new long[] {8, 4}, F32, 96)
            .data(new byte[96 + 128]);

    Checkpoint checkpoint = Checkpoint.open(write(gguf).toString());

    assertThat(checkpoint.names())
        .containsExactly("model.embed_tokens.weight", "model.layers.0.mlp.up_proj.weight");
    assertThat(checkpoint.config().tieWordEmbeddings()).isTrue();
    assertThat(checkpoint.config().vocabSize()).isEqualTo(3);
    assertThat(checkpoint.config().numLayers()).isEqualTo(1);
    assertThat(checkpoint.tensor("model.embed_tokens.weight").shape().dims()).containsExactly(3, 8);
  }

  void assertFails(Path file, String problem) {
    assertThatThrownBy(() -> Checkpoint.open(file.toString()))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageContaining(problem)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
