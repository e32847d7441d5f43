package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A metric that cannot be computed does not pass a gate; an unknown metric is a usage error. */
class NonFiniteGateTest {
  private static final Path BASE = Fixtures.model("llama-base");
  private static final String BROKEN = "model.layers.0.mlp.down_proj.weight";

  @TempDir Path dir;

  @BeforeAll
  static void spark() {
    TestSpark.session();
  }

  @Test
  void aMatrixEntirelyNanFailsEveryMetricGateNamingTheTensorAndWhy() throws IOException {
    Path nan = copyWithNan(dir.resolve("nan"), BROKEN);
    Path json = dir.resolve("out.json");
    CliRun run =
        weightDiff(
            nan,
            "-o",
            json.toString(),
            "--fail-if",
            "relative_delta > 0.5",
            "--fail-if",
            "cosine < 0.9");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.CHECK_FAILED);
    String why = BROKEN + " (%s not computable: 45056 of 45056 values NaN or infinite)";
    assertThat(run.err())
        .contains("relative_delta > 0.5: 1 crossed: " + why.formatted("relative_delta"))
        .contains("cosine < 0.9: 1 crossed: " + why.formatted("cosine"));
    JsonNode tensor = tensor(Fixtures.json(json), BROKEN);
    // nothing was summed: no norm, not a norm of 0 (the base is not zero)
    assertThat(tensor.get("norm_base").isNull()).isTrue();
    assertThat(tensor.get("norm_finetuned").isNull()).isTrue();
    assertThat(tensor.get("l2_distance").isNull()).isTrue();
    assertThat(tensor.get("relative_delta").isNull()).isTrue();
    assertThat(tensor.get("nan_count").asLong()).isEqualTo(45056);
    assertThat(tensor.get("n_params").asLong()).isEqualTo(45056);
  }

  @Test
  void theOtherTensorsOfThatPairStillPassTheirGates() throws IOException {
    Path nan = copyWithNan(dir.resolve("nan"), BROKEN);
    CliRun run = weightDiff(nan, "--fail-if", "mlp_up: relative_delta > 0.5");
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @Test
  void anUnknownMetricIsAUsageErrorListingTheGateableOnes() {
    CliRun run =
        CliRun.of(
            "weight-diff", "-b", BASE.toString(), "-f", BASE.toString(), "--fail-if", "bogus > 1");
    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.errorLine())
        .contains("--fail-if 'bogus > 1'")
        .contains(
            "METRIC one of norm_base, norm_finetuned, l2_distance, relative_delta, cosine,"
                + " max_abs_diff, mean_abs_diff, rmse, sparsity, zero_fraction, nan_count,"
                + " inf_count, effective_rank, stable_rank, numerical_rank, top_k_energy_share,"
                + " spectral_alpha;");
    assertThat(run.out()).isEmpty();
  }

  private static CliRun weightDiff(Path finetuned, String... more) {
    List<String> args =
        new ArrayList<>(List.of("weight-diff", "-b", BASE.toString(), "-f", finetuned.toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** A copy of the base whose {@code tensor} (BF16) is NaN everywhere. */
  static Path copyWithNan(Path target, String tensor) throws IOException {
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(BASE)) {
      for (Path f : files.toList()) {
        Files.copy(f, target.resolve(f.getFileName()));
      }
    }
    Path file = target.resolve("model.safetensors");
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(len, 0);
      int n = (int) len.getLong(0);
      ByteBuffer header = ByteBuffer.allocate(n);
      ch.read(header, 8);
      JsonNode h = new ObjectMapper().readTree(new String(header.array(), StandardCharsets.UTF_8));
      JsonNode info = h.get(tensor);
      assertThat(info.get("dtype").asText()).isEqualTo("BF16");
      long start = info.get("data_offsets").get(0).asLong();
      long end = info.get("data_offsets").get(1).asLong();
      ByteBuffer nans = ByteBuffer.allocate((int) (end - start)).order(ByteOrder.LITTLE_ENDIAN);
      while (nans.hasRemaining()) {
        nans.putShort((short) 0x7FC0); // bf16 quiet NaN
      }
      nans.flip();
      ch.write(nans, 8 + n + start);
    }
    return target;
  }

  private static JsonNode tensor(JsonNode report, String name) {
    for (JsonNode t : report.get("tensors")) {
      if (t.get("name").asText().equals(name)) {
        return t;
      }
    }
    throw new AssertionError("no tensor " + name);
  }
}
