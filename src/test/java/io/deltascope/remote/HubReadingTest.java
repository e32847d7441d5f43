package io.deltascope.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.Environment;
import io.deltascope.checkpoint.hub.HubPath;
import io.deltascope.checkpoint.hub.HubRevisions;
import io.deltascope.checkpoint.hub.HubSettings;
import io.deltascope.cli.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints named by Hub id, read from a real HTTP server on 127.0.0.1 that speaks the Hub's
 * protocol ({@link HubTestServer}): by ranged reads, pinned to a commit, with one-line errors.
 */
class HubReadingTest {
  static final String SHA_BASE = "1".repeat(40);
  static final String SHA_SFT = "2".repeat(40);
  static final String SHA_GATED = "3".repeat(40);
  static final String TOKEN = "hf_s3cr3t-never-printed-91c";
  static final byte[] JSON = "{}".getBytes(StandardCharsets.UTF_8);

  static HubTestServer hub;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws IOException {
    TestSpark.session();
    hub =
        new HubTestServer()
            .publish("org/llama-base", SHA_BASE, Fixtures.model("llama-base"))
            .publish("org/llama-sft", SHA_SFT, Fixtures.model("llama-sft"))
            .gate("org/gated", SHA_GATED, Fixtures.model("llama-sft"), TOKEN);
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @BeforeEach
  void environment() {
    use(Map.of());
    hub.resetCounts();
  }

  @AfterEach
  void processEnvironment() {
    Environment.set(null);
  }

  @Test
  void weightDiffOfTwoHubIdsEqualsTheLocalOneAndFetchesAboutTheFilesOnce() throws IOException {
    use(Map.of("HF_TOKEN", TOKEN));
    Path remote = dir.resolve("hub.json");
    CliRun run =
        CliRun.of(
            "weight-diff", "-b", "org/llama-base", "-f", "org/llama-sft", "-o", remote.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).doesNotContain(TOKEN);
    assertThat(run.err()).doesNotContain(TOKEN);
    long served = hub.bytesServed();

    Path local = dir.resolve("local.json");
    CliRun.of(
        "weight-diff",
        "-b",
        Fixtures.model("llama-base").toString(),
        "-f",
        Fixtures.model("llama-sft").toString(),
        "-o",
        local.toString());
    assertSameTensors(Fixtures.json(remote), Fixtures.json(local));
    long files =
        folderBytes(Fixtures.model("llama-base")) + folderBytes(Fixtures.model("llama-sft"));
    assertThat((double) served).isBetween(0.7 * files, 1.3 * files);
    // the token went to the endpoint only, never to the content host of a redirect
    assertThat(hub.contentAuthorizations).isNotEmpty().containsOnly("null");
    assertThat(Files.readString(remote)).doesNotContain(TOKEN);
  }

  @Test
  void structureOnlyReadsUnderATenthOfTheFiles() {
    CliRun run =
        CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/llama-sft", "--structure-only");
    assertThat(run.exitCode()).as(run.err()).isZero();
    long files =
        folderBytes(Fixtures.model("llama-base")) + folderBytes(Fixtures.model("llama-sft"));
    assertThat(hub.bytesServed()).isPositive().isLessThan(files / 10);
  }

  @Test
  void aGatedRepoWithoutATokenSaysToSetHfTokenAndWithItIsRead() {
    CliRun without =
        CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/gated", "--structure-only");
    assertThat(without.exitCode()).isEqualTo(1);
    assertThat(without.err().lines().filter(l -> l.contains("error"))).hasSize(1);
    assertThat(without.errorLine())
        .contains("org/gated")
        .contains("gated or private")
        .contains("set HF_TOKEN");

    use(Map.of("HF_TOKEN", "hf_wrong"));
    CliRun wrong =
        CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/gated", "--structure-only");
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.errorLine()).contains("org/gated").contains("the token has no access");

    use(Map.of("HF_TOKEN", TOKEN));
    CliRun with =
        CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/gated", "--structure-only");
    assertThat(with.exitCode()).as(with.err()).isZero();
    assertThat(with.out() + with.err()).doesNotContain(TOKEN);
  }

  @Test
  void unknownReposRevisionsAndAnUnreachableHubFailWithOneLine() {
    assertOneLineError(
        CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/nope", "--structure-only"),
        "org/nope@main: unknown repo (or a private one: set HF_TOKEN)");
    assertOneLineError(
        CliRun.of(
            "weight-diff", "-b", "org/llama-base", "-f", "org/llama-sft@v9", "--structure-only"),
        "org/llama-sft@v9: unknown revision");
    assertOneLineError(
        CliRun.of(
            "weight-diff",
            "-b",
            "org/llama-base",
            "-f",
            "hf://org/llama-sft/nope",
            "--structure-only"),
        "no such file or folder");
    use(Map.of("HF_ENDPOINT", "http://127.0.0.1:9"));
    assertOneLineError(
        CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/llama-sft", "--structure-only"),
        "cannot reach the Hub at http://127.0.0.1:9");
    use(Map.of("HF_HUB_OFFLINE", "1"));
    assertOneLineError(
        CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/llama-sft", "--structure-only"),
        "(HF_HUB_OFFLINE=1)");
  }

  @Test
  void aRateLimitIsRetriedWithBackoff() {
    hub.rateLimitNext(2);
    CliRun run =
        CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/llama-sft", "--structure-only");
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @Test
  void aRevisionIsPinnedToItsCommitWhileMainMoves() {
    HubSettings settings = HubSettings.fromEnvironment(Environment.get());
    String pinned = HubRevisions.pin(HubPath.parse("hf://org/moving"), settings);
    assertThat(pinned).isEqualTo("hf://org/moving@" + SHA_BASE);
    hub.publish("org/moving", SHA_SFT, Fixtures.model("llama-sft")); // main moves
    Checkpoint atPin = Checkpoint.open(pinned);
    assertThat(atPin.files()).allMatch(f -> f.contains("@" + SHA_BASE + "/"));
    assertThat(HubRevisions.pin(HubPath.parse("hf://org/moving"), settings)).endsWith(SHA_SFT);
    assertThat(
            Checkpoint.open(
                    HubRevisions.pin(HubPath.parse("hf://org/moving@" + SHA_BASE), settings))
                .names())
        .isEqualTo(atPin.names());
  }

  @Test
  void downloadStoresTheHfCacheLayoutResumesAndTheNextRunIsOffline() throws IOException {
    Path cache = dir.resolve("hf-home").resolve("hub");
    Path repo = cache.resolve("models--org--llama-sft");
    // an earlier download stopped after 1000 bytes of the weights
    byte[] weights = Files.readAllBytes(Fixtures.model("llama-sft").resolve("model.safetensors"));
    Path partial = repo.resolve("blobs").resolve(sha256(weights) + ".incomplete");
    Files.createDirectories(partial.getParent());
    Files.write(partial, java.util.Arrays.copyOf(weights, 1000));

    CliRun run =
        CliRun.of(
            "weight-diff",
            "-b",
            "org/llama-base",
            "-f",
            "org/llama-sft",
            "--download",
            "--structure-only");
    assertThat(run.exitCode()).as(run.err()).isZero();
    long files =
        folderBytes(Fixtures.model("llama-base")) + folderBytes(Fixtures.model("llama-sft"));
    // every file of both (all JSON or safetensors) once, less what the earlier download had
    assertThat(hub.bytesServed()).isEqualTo(files - 1000);
    assertThat(Files.readString(repo.resolve("refs").resolve("main"))).isEqualTo(SHA_SFT);
    Path snapshot = repo.resolve("snapshots").resolve(SHA_SFT);
    assertThat(Files.isSymbolicLink(snapshot.resolve("model.safetensors"))).isTrue();
    assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(weights);
    assertThat(partial).doesNotExist();

    hub.resetCounts();
    use(Map.of("HF_HUB_OFFLINE", "1"));
    Path out = dir.resolve("offline.json");
    CliRun offline =
        CliRun.of(
            "weight-diff", "-b", "org/llama-base", "-f", "org/llama-sft", "-o", out.toString());
    assertThat(offline.exitCode()).as(offline.err()).isZero();
    assertThat(hub.requests()).isZero();
    assertThat(Fixtures.json(out).get("finetuned").asText()).isEqualTo(snapshot.toString());
    CliRun uri =
        CliRun.of(
            "weight-diff", "-b", "org/llama-base", "-f", "hf://org/llama-sft", "--structure-only");
    assertThat(uri.exitCode()).as(uri.err()).isZero();
    assertThat(hub.requests()).isZero(); // hf:// is looked up in the cache first too
  }

  @Test
  void fileNamesFromTheHubMustBeRelativeAndStayInsideTheSnapshot() throws IOException {
    List<String> names =
        List.of(
            "../../../../evil.json",
            dir.resolve("evil-absolute.json").toString(),
            "..\\..\\evil.json",
            "sub//evil.json",
            "sub/./evil.json",
            "evil\u0000.json");
    for (int i = 0; i < names.size(); i++) {
      String repo = "org/evil-" + i;
      hub.publish(repo, SHA_SFT, Fixtures.model("llama-sft")).alsoList(repo, names.get(i), JSON);
      for (boolean download : List.of(true, false)) {
        CliRun run = structureOnly(repo, download);
        assertOneLineError(run, repo + "@main: the Hub lists a file named '");
        assertThat(run.errorLine())
            .contains("evil")
            .contains("not a relative path inside the repo")
            .doesNotContain("\u0000");
      }
    }
    try (Stream<Path> written = Files.walk(dir)) {
      assertThat(written.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("evil.json")))
          .isEmpty();
    }
  }

  @Test
  void aRangeAnsweredWithOtherBytesOrWithoutContentRangeIsRefused() {
    hub.publish("org/shifted", SHA_SFT, Fixtures.model("llama-sft"))
        .lie("org/shifted", HubTestServer.Lie.SHIFTED_RANGE);
    CliRun shifted = CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/shifted");
    assertOneLineError(shifted, "org/shifted/model.safetensors: asked for bytes ");
    assertThat(shifted.errorLine())
        .containsPattern("asked for bytes (\\d+)-(\\d+)/2005296, the Hub's Content-Range says")
        .containsPattern("Content-Range says 'bytes \\d+-\\d+/2005296'");

    hub.publish("org/no-range", SHA_SFT, Fixtures.model("llama-sft"))
        .lie("org/no-range", HubTestServer.Lie.NO_CONTENT_RANGE);
    assertOneLineError(
        CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/no-range"),
        "org/no-range/model.safetensors: asked for bytes ");
  }

  @Test
  void aHubIgnoringRangeIsSlicedAndAShortOrBrokenOffBodyIsNamed() throws IOException {
    hub.publish("org/whole", SHA_SFT, Fixtures.model("llama-sft"))
        .lie("org/whole", HubTestServer.Lie.WHOLE_FILE);
    Path whole = dir.resolve("whole.json");
    CliRun run =
        CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/whole", "-o", whole.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    Path local = dir.resolve("local.json");
    CliRun.of(
        "weight-diff",
        "-b",
        Fixtures.model("llama-base").toString(),
        "-f",
        Fixtures.model("llama-sft").toString(),
        "-o",
        local.toString());
    assertSameTensors(Fixtures.json(whole), Fixtures.json(local));

    hub.publish("org/short", SHA_SFT, Fixtures.model("llama-sft"))
        .lie("org/short", HubTestServer.Lie.SHORT_BODY);
    CliRun shortBody = CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/short");
    assertOneLineError(
        shortBody, "org/short/model.safetensors: short body: expected 2005296 bytes");
    assertThat(shortBody.errorLine()).contains("received 2004296");

    hub.publish("org/broken-off", SHA_SFT, Fixtures.model("llama-sft"))
        .lie("org/broken-off", HubTestServer.Lie.BROKEN_OFF);
    CliRun brokenOff = CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/broken-off");
    assertOneLineError(brokenOff, "org/broken-off/model.safetensors: short body");
  }

  @Test
  void aBodyLongerThanItsRangeIsReadNoFurtherThanTheRange() {
    hub.publish("org/endless", SHA_SFT, Fixtures.model("llama-sft"))
        .lie("org/endless", HubTestServer.Lie.ENDLESS_BODY);
    long before = hub.bytesServed();
    CliRun run = CliRun.of("weight-diff", "-b", "org/llama-base", "-f", "org/endless");
    assertOneLineError(run, "org/endless/model.safetensors: long body: expected 8 bytes");
    // the client hangs up one byte past the range: the server got out no more than its socket's
    // buffers hold, not the gigabyte it had to send (which the client used to read into memory)
    assertThat(hub.bytesServed() - before).isLessThan(64L << 20);
  }

  @Test
  void aRedirectLoopIsNamedAsSuch() {
    hub.publish("org/loop", SHA_SFT, Fixtures.model("llama-sft"))
        .lie("org/loop", HubTestServer.Lie.REDIRECT_LOOP);
    for (boolean download : List.of(true, false)) {
      assertOneLineError(
          structureOnly("org/loop", download), "org/loop/config.json: a redirect loop");
    }
  }

  @Test
  void aDownloadWhoseSha256DiffersFromTheLinkedEtagIsDeleted() throws IOException {
    hub.publish("org/corrupt", SHA_SFT, Fixtures.model("llama-sft"))
        .lie("org/corrupt", HubTestServer.Lie.WRONG_BYTES);
    CliRun run =
        CliRun.of(
            "weight-diff",
            "-b",
            "org/llama-base",
            "-f",
            "org/corrupt",
            "--download",
            "--structure-only");
    String sha256 =
        sha256(Files.readAllBytes(Fixtures.model("llama-sft").resolve("model.safetensors")));
    assertOneLineError(run, "org/corrupt/model.safetensors: the downloaded bytes' sha256 is ");
    assertThat(run.errorLine()).contains("X-Linked-Etag says " + sha256);
    Path repo = dir.resolve("hf-home/hub/models--org--corrupt");
    assertThat(repo.resolve("blobs").resolve(sha256 + ".incomplete")).doesNotExist();
    assertThat(repo.resolve("blobs").resolve(sha256)).doesNotExist();
    assertThat(repo.resolve("snapshots").resolve(SHA_SFT).resolve("model.safetensors"))
        .doesNotExist();
  }

  @BeforeEach
  void movingRepo() {
    hub.publish("org/moving", SHA_BASE, Fixtures.model("llama-base"));
  }

  private void use(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("HF_ENDPOINT", hub.endpoint());
    all.put("HF_HOME", dir.resolve("hf-home").toString()); // an empty cache, no token file
    Environment.set(all);
  }

  private static void assertOneLineError(CliRun run, String expected) {
    assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
    assertThat(run.err().lines().filter(l -> l.contains("error"))).as(run.err()).hasSize(1);
    assertThat(run.errorLine()).contains(expected).doesNotContain("\tat ");
  }

  private static void assertSameTensors(JsonNode a, JsonNode b) {
    assertThat(a.get("tensors")).hasSize(b.get("tensors").size());
    for (int i = 0; i < a.get("tensors").size(); i++) {
      JsonNode x = a.get("tensors").get(i);
      JsonNode y = b.get("tensors").get(i);
      assertThat(x.get("name")).isEqualTo(y.get("name"));
      assertThat(x.get("l2_distance")).isEqualTo(y.get("l2_distance"));
      assertThat(x.get("cosine")).isEqualTo(y.get("cosine"));
    }
  }

  /** weight-diff --structure-only of org/llama-base against {@code finetuned}, streamed or not. */
  private static CliRun structureOnly(String finetuned, boolean download) {
    return download
        ? CliRun.of(
            "weight-diff",
            "-b",
            "org/llama-base",
            "-f",
            finetuned,
            "--download",
            "--structure-only")
        : CliRun.of("weight-diff", "-b", "org/llama-base", "-f", finetuned, "--structure-only");
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long folderBytes(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      return files.mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
