package io.deltascope.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trajectory reads each checkpoint once: counted by the bytes an S3 server sends. */
class TrajectoryReadingTest {
  @TempDir static Path storage;

  private static final List<String> MODELS =
      List.of("llama-base", "llama-sft", "llama-lora-merged");
  private static S3TestServer server;

  @BeforeAll
  static void start() throws Exception {
    TestSpark.session();
    server = new S3TestServer(storage.resolve("blobs"));
    for (String model : MODELS) {
      server.upload("models", model, Fixtures.model(model));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void readsEachCheckpointOnceForAllItsPairs() throws IOException {
    long checkpointBytes = 0;
    for (String model : MODELS) {
      checkpointBytes += bytesOf(model);
    }
    server.resetCount();
    CliRun run =
        cli(
            "trajectory",
            "--checkpoints",
            "s3a://models/llama-base,s3a://models/llama-sft,s3a://models/llama-lora-merged",
            "--no-spectra");
    assertThat(run.exitCode()).as(run.err()).isZero();
    long trajectory = server.bytesServed();

    // the same three pairs (0 -> 1, 1 -> 2, 0 -> 2) as separate weight-diffs
    server.resetCount();
    for (String[] pair :
        List.of(
            new String[] {"llama-base", "llama-sft"},
            new String[] {"llama-sft", "llama-lora-merged"},
            new String[] {"llama-base", "llama-lora-merged"})) {
      CliRun single =
          cli(
              "weight-diff",
              "-b",
              "s3a://models/" + pair[0],
              "-f",
              "s3a://models/" + pair[1],
              "--no-spectra");
      assertThat(single.exitCode()).as(single.err()).isZero();
    }
    long separate = server.bytesServed();

    // every checkpoint's bytes once; HTTP headers and listings add a little
    assertThat(trajectory)
        .isBetween(checkpointBytes * 9 / 10, checkpointBytes + checkpointBytes / 10 + 256 * 1024);
    assertThat(separate).isGreaterThan(checkpointBytes * 18 / 10);
  }

  private static CliRun cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    server
        .sparkSettings(S3TestServer.SECRET_KEY)
        .forEach((k, v) -> all.add("--conf=" + k + "=" + v));
    return CliRun.of(all.toArray(String[]::new));
  }

  private static long bytesOf(String model) throws IOException {
    try (Stream<Path> files = Files.list(Fixtures.model(model))) {
      return files
          .filter(f -> f.toString().endsWith(".safetensors"))
          .mapToLong(f -> f.toFile().length())
          .sum();
    }
  }
}
