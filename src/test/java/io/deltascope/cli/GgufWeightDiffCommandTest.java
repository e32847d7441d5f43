package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code weight-diff} with a GGUF side: the quantization view, rmse, and bad files failing cleanly.
 */
class GgufWeightDiffCommandTest {
  static final Path SOURCE = Fixtures.model("llama-sft");
  static final Path Q4_0 = Fixtures.root().resolve("gguf").resolve("llama-sft.q4_0.gguf");

  @TempDir Path dir;

  @Test
  void comparesASourceFolderWithItsQuantizedGgufAndShowsTheQuantizationView() throws IOException {
    TestSpark.session(); // the command joins the tests' session
    Path json = dir.resolve("out.json");

    Run run =
        run("weight-diff", "-b", SOURCE.toString(), "-f", Q4_0.toString(), "-o", json.toString());

    assertThat(run.code).isZero();
    assertThat(run.out)
        .contains("Quantized (finetuned): " + Q4_0 + " [Q4_0], 582.2 KiB, 4.53 bits per weight")
        .contains("Worst 20 tensors:")
        .contains("retyped     30 tensors BF16 -> Q4_0")
        .containsPattern("0 +attn_q +Q4_0 +0\\.084293 +0\\.005137 +0\\.996451");
    JsonNode root = Fixtures.json(json);
    JsonNode oracle = Fixtures.json(Path.of(Q4_0 + ".json"));
    JsonNode head = find(root.get("tensors"), "lm_head.weight");
    assertThat(head.get("dtype_base").asText()).isEqualTo("BF16");
    assertThat(head.get("dtype_finetuned").asText()).isEqualTo("Q4_0");
    double rmse =
        find(oracle.get("tensors"), "output.weight").at("/drift_from_source/rmse").asDouble();
    assertThat(head.get("rmse").asDouble())
        .isCloseTo(rmse, org.assertj.core.api.Assertions.within(1e-9 * rmse));
    JsonNode quantization = root.get("quantization").get(0);
    assertThat(quantization.get("side").asText()).isEqualTo("finetuned");
    assertThat(quantization.get("file_bytes").asLong()).isEqualTo(Files.size(Q4_0));
    // 30 Q4_0 tensors at 4.5 bits and 9 F32 norms at 32 bits
    assertThat(quantization.get("tensor_bytes").asLong()).isEqualTo(566_784);
    assertThat(quantization.get("bits_per_weight").asDouble())
        .isEqualTo(8.0 * 566_784 / quantization.get("n_params").asLong());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"truncated", "bad magic", "absurd count", "misaligned offset", "unknown type"})
  void aMalformedGgufFailsWithOneLineNamingTheFile(String damage) throws IOException {
    byte[] bytes = Files.readAllBytes(Q4_0);
    String expected;
    switch (damage) {
      case "truncated" -> {
        bytes = Arrays.copyOf(bytes, bytes.length - 1000);
        expected = "runs past the data section";
      }
      case "bad magic" -> {
        bytes[3] = 'X';
        expected = "bad magic 0x47475558: not a GGUF file";
      }
      case "absurd count" -> {
        bytes[15] = 0x10; // tensor count's top byte
        expected = "tensor count 1152921504606847015 is absurd";
      }
      case "misaligned offset" -> {
        int at = lastTensorInfoEnd(bytes) - 8; // the last tensor info's offset
        bytes[at] += 4;
        expected = "is not a multiple of the alignment 32";
      }
      default -> {
        int at = lastTensorInfoEnd(bytes) - 12; // the last tensor info's type
        bytes[at] = 77;
        expected = "unknown ggml type 77";
      }
    }
    Path bad = dir.resolve("damaged.gguf");
    Files.write(bad, bytes);

    Run run = run("weight-diff", "-b", SOURCE.toString(), "-f", bad.toString());

    assertThat(run.code).isEqualTo(1);
    List<String> errors = run.err.lines().filter(l -> l.contains("error")).toList();
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).startsWith("deltascope: error: " + bad + ": ").contains(expected);
    assertThat(run.err).doesNotContain("\tat ");
  }

  /**
   * Where the tensor infos end: right after the last tensor's uint64 offset, which is found as the
   * bytes of its relative offset (the oracle's largest data_offset minus the data section's start,
   * the smallest, since gguf-py writes the first tensor at relative offset 0).
   */
  private static int lastTensorInfoEnd(byte[] bytes) {
    JsonNode oracle = Fixtures.json(Path.of(Q4_0 + ".json"));
    long first = Long.MAX_VALUE;
    long last = 0;
    for (JsonNode t : oracle.get("tensors")) {
      first = Math.min(first, t.get("data_offset").asLong());
      last = Math.max(last, t.get("data_offset").asLong());
    }
    byte[] relative =
        java.nio.ByteBuffer.allocate(8)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putLong(last - first)
            .array();
    for (int at = (int) first - 8; at >= 0; at--) {
      if (Arrays.equals(Arrays.copyOfRange(bytes, at, at + 8), relative)) {
        return at + 8;
      }
    }
    throw new AssertionError("no tensor info with offset " + (last - first));
  }

  private static JsonNode find(JsonNode array, String name) {
    for (JsonNode n : array) {
      String key = n.has("name") ? n.get("name").asText() : n.get("gguf_name").asText();
      if (key.equals(name)) {
        return n;
      }
    }
    throw new AssertionError(name + " not in " + array);
  }

  record Run(int code, String out, String err) {}

  static synchronized Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.execute(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
