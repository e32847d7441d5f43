package io.deltascope.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jclouds.blobstore.BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints and results on a real S3-compatible server on 127.0.0.1, read through s3a. */
class S3ReadingTest {
  @TempDir static Path storage;
  @TempDir Path dir;

  private static final String[] WEIGHT_DIFF_FROM_S3 = {
    "weight-diff", "-b", "s3a://models/llama-base", "-f", "s3a://models/llama-sft"
  };

  private static S3TestServer server;

  @BeforeAll
  static void start() throws Exception {
    TestSpark.session();
    server = new S3TestServer(storage.resolve("blobs"));
    for (String model :
        List.of("llama-base", "llama-sft", "llama-lora-merged", "qwen2-base", "qwen2-sft")) {
      server.upload("models", model, Fixtures.model(model));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void s3aAgainstS3aAndAgainstLocalGiveTheLocalNumbersExactly() throws IOException {
    JsonNode local = tensors(weightDiff(local("llama-base"), local("llama-sft")));
    JsonNode remote = tensors(weightDiff("s3a://models/llama-base", "s3a://models/llama-sft"));
    JsonNode mixed = tensors(weightDiff("s3a://models/llama-base", local("llama-sft")));
    assertThat(remote).hasSize(39).isEqualTo(local);
    assertThat(mixed).isEqualTo(local);
  }

  @Test
  void readsTheBytesItNeedsAndNotWholeFilesTwice() throws IOException {
    long fileBytes = bytesOf("qwen2-base") + bytesOf("qwen2-sft");
    server.resetCount();
    weightDiff("s3a://models/qwen2-base", "s3a://models/qwen2-sft");
    long served = server.bytesServed();
    // every tensor byte is needed once; HTTP headers and listings add a little
    assertThat(served).isBetween(fileBytes * 9 / 10, fileBytes + fileBytes / 10 + 256 * 1024);
  }

  @Test
  void aTrajectoryReadsEachCheckpointOnceForAllItsPairs() throws IOException {
    long checkpointBytes =
        bytesOf("llama-base") + bytesOf("llama-sft") + bytesOf("llama-lora-merged");
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

  @Test
  void structureOnlyReadsHeadersAlone() throws IOException {
    long fileBytes = bytesOf("qwen2-base") + bytesOf("qwen2-sft");
    server.resetCount();
    Path out = dir.resolve("structure.json");
    CliRun run =
        cli(
            "weight-diff",
            "--structure-only",
            "-b",
            "s3a://models/qwen2-base",
            "-f",
            "s3a://models/qwen2-sft",
            "-o",
            out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("structure only").contains("same shape on both sides: 50");
    assertThat(server.bytesServed()).isLessThan(fileBytes / 10);
  }

  @Test
  void writesResultsToS3aThatReadBack() {
    server.blobStore().createContainerInLocation(null, "results");
    for (int write = 0; write < 2; write++) { // the second write of the run replaces it whole
      CliRun run =
          cli(
              "weight-diff",
              "-b",
              "s3a://models/llama-base",
              "-f",
              local("llama-sft"),
              "--results",
              "s3a://results/store",
              "--run-id",
              "s3-run");
      assertThat(run.exitCode()).as(run.err()).isZero();
    }
    // a Delta store, its log on S3 (version 0 of each table is its creation, 1 the first write)
    assertThat(
            server
                .blobStore()
                .blobExists("results", "store/runs/_delta_log/00000000000000000000.json"))
        .isTrue();
    var results =
        new io.deltascope.results.ResultsStore(TestSpark.session(), "s3a://results/store");
    var metrics = results.table("tensor_metrics");
    assertThat(metrics.where("run_id = 's3-run'").count()).isEqualTo(39);
    var runs = results.table("runs");
    assertThat(runs.count()).isEqualTo(1);
    assertThat(runs.select("base").first().getString(0)).isEqualTo("s3a://models/llama-base");
    CliRun sql =
        cli(
            "sql",
            "--results",
            "s3a://results/store",
            "--format",
            "csv",
            "SELECT count(*) AS n FROM tensor_metrics VERSION AS OF 1");
    assertThat(sql.exitCode()).as(sql.err()).isZero();
    assertThat(sql.out()).isEqualTo("n\n39\n");
  }

  @Test
  void aResultsLocationThatIsAFileObjectIsRefusedBeforeAnyWork() throws IOException {
    BlobStore blobs = server.blobStore();
    blobs.createContainerInLocation(null, "file-results");
    blobs.putBlob("file-results", blobs.blobBuilder("some-file").payload("not a store").build());
    Path pairs =
        Files.writeString(
            dir.resolve("pairs.csv"), "sft,s3a://models/llama-base,s3a://models/llama-sft\n");
    String[][] commands = {
      WEIGHT_DIFF_FROM_S3,
      {"trajectory", "--checkpoints", "s3a://models/llama-base,s3a://models/llama-sft"},
      {"batch", "--pairs", pairs.toString()}
    };
    for (String[] command : commands) {
      for (String results :
          List.of("s3a://file-results/some-file", "s3a://file-results/some-file/store")) {
        server.resetCount();
        CliRun run = withResults(command, results);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.errorLine())
            .isEqualTo(
                "deltascope: error: "
                    + (results.endsWith("store")
                        ? results
                            + ": s3a://file-results/some-file is a file, so the results store folder"
                            + " cannot be made in it"
                        : results + ": is a file, expected a results store folder"));
        // nothing computed: no report, and of the 2 MB checkpoints not even a header was read
        assertThat(run.out()).as(command[0]).isEmpty();
        assertThat(server.bytesServed()).as(command[0]).isLessThan(16 * 1024);
      }
    }
    assertThat(blobs.list("file-results").size()).isEqualTo(1);
    try (var in = blobs.getBlob("file-results", "some-file").getPayload().openStream()) {
      assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("not a store");
    }
  }

  @Test
  void anUnreachableResultsLocationIsOneLineBeforeAnyWork() {
    Map<String, String> reasons =
        Map.of(
            "s3a://no-such-bucket/store", "no such bucket",
            "nosuchscheme://host/store", "No FileSystem for scheme \"nosuchscheme\"");
    for (String results : reasons.keySet()) {
      server.resetCount();
      CliRun run = withResults(WEIGHT_DIFF_FROM_S3, results);
      assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
      assertThat(run.errorLine())
          .isEqualTo(
              "deltascope: error: "
                  + results
                  + ": cannot reach the results store: "
                  + reasons.get(results));
      assertThat(run.err().lines().filter(l -> l.startsWith("deltascope: error")).count())
          .isEqualTo(1);
      assertThat(run.out()).isEmpty();
      assertThat(server.bytesServed()).isLessThan(16 * 1024);
    }
  }

  @Test
  void aMissingKeyIsOneLineNamingTheUri() {
    CliRun run = cli("weight-diff", "-b", "s3a://models/no-such-model", "-f", local("llama-sft"));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine())
        .isEqualTo("deltascope: error: s3a://models/no-such-model: no such file or folder");
  }

  @Test
  void accessDeniedIsOneLineWithoutTheSecret() throws IOException {
    server.upload("private", "llama-base", Fixtures.model("llama-base"));
    List<String> args =
        new ArrayList<>(
            List.of("weight-diff", "-b", "s3a://private/llama-base", "-f", local("llama-sft")));
    server.sparkSettings("wrong-secret-xyz").forEach((k, v) -> args.add("--conf=" + k + "=" + v));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine()).startsWith("deltascope: error: s3a://private/llama-base");
    assertThat(run.out() + run.err()).doesNotContain("wrong-secret-xyz", S3TestServer.SECRET_KEY);
  }

  @Test
  void aWrongEndpointIsOneLineAndExitCodeOne() throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of("weight-diff", "-b", "s3a://elsewhere/llama-base", "-f", local("llama-sft")));
    Map<String, String> settings = server.sparkSettings(S3TestServer.SECRET_KEY);
    settings.put("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:" + closedPort());
    settings.forEach((k, v) -> args.add("--conf=" + k + "=" + v));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine()).startsWith("deltascope: error: s3a://elsewhere/llama-base");
    assertThat(run.err().lines().filter(l -> l.startsWith("deltascope: error")).count())
        .isEqualTo(1);
    assertThat(run.out() + run.err()).doesNotContain(S3TestServer.SECRET_KEY);
  }

  private JsonNode weightDiff(String base, String finetuned) throws IOException {
    Path out = Files.createTempFile(dir, "diff", ".json");
    CliRun run = cli("weight-diff", "-b", base, "-f", finetuned, "-o", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out() + run.err()).doesNotContain(S3TestServer.SECRET_KEY);
    return Fixtures.json(out);
  }

  private static CliRun withResults(String[] command, String results) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(List.of("--results", results));
    return cli(args.toArray(String[]::new));
  }

  private static CliRun cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    server
        .sparkSettings(S3TestServer.SECRET_KEY)
        .forEach((k, v) -> all.add("--conf=" + k + "=" + v));
    return CliRun.of(all.toArray(String[]::new));
  }

  private static JsonNode tensors(JsonNode report) {
    return report.get("tensors");
  }

  private static String local(String model) {
    return Fixtures.model(model).toString();
  }

  private static long bytesOf(String model) throws IOException {
    try (Stream<Path> files = Files.list(Fixtures.model(model))) {
      return files
          .filter(f -> f.toString().endsWith(".safetensors"))
          .mapToLong(f -> f.toFile().length())
          .sum();
    }
  }

  private static int closedPort() throws IOException {
    try (var socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
