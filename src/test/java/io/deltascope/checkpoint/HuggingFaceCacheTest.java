package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model ids resolved in a HuggingFace cache laid out as huggingface_hub writes it. */
class HuggingFaceCacheTest {
  private static final String MAIN = "a".repeat(40);
  private static final String OLD = "b".repeat(40);

  @TempDir Path hub;

  @BeforeEach
  void cache() throws IOException {
    Path repo = hub.resolve("models--acme--tiny-llama");
    snapshot(repo, MAIN, "llama-sft");
    snapshot(repo, OLD, "llama-base");
    Files.createDirectories(repo.resolve("refs"));
    Files.writeString(repo.resolve("refs/main"), MAIN);
    Files.writeString(repo.resolve("refs/v1"), OLD + "\n");
  }

  @Test
  void resolvesMainByDefault() {
    String folder = new HuggingFaceCache(hub).resolve("acme/tiny-llama", null);
    assertThat(folder).endsWith("snapshots/" + MAIN);
    assertThat(Checkpoint.open(folder).tensors()).hasSize(39);
  }

  @Test
  void resolvesABranchTagOrCommit() {
    HuggingFaceCache cache = new HuggingFaceCache(hub);
    assertThat(cache.resolve("acme/tiny-llama", "v1")).endsWith("snapshots/" + OLD);
    assertThat(cache.resolve("acme/tiny-llama@v1", "main")).endsWith("snapshots/" + OLD);
    assertThat(cache.resolve("acme/tiny-llama", OLD)).endsWith("snapshots/" + OLD);
  }

  @Test
  void findsTheCacheTheEnvironmentNames() {
    assertThat(
            HuggingFaceCache.fromEnvironment(Map.of("HF_HUB_CACHE", hub.toString()))
                .resolve("acme/tiny-llama", null))
        .startsWith(hub.toString());
    Path home = hub.getParent();
    assertThat(HuggingFaceCache.fromEnvironment(Map.of("HF_HOME", home.toString())))
        .extracting("hub")
        .isEqualTo(home.resolve("hub"));
  }

  @Test
  void saysClearlyWhenAModelIsNotCached() {
    assertThatThrownBy(() -> new HuggingFaceCache(hub).resolve("acme/other", null))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith("acme/other: not a local path, and not in the HuggingFace cache")
        .hasMessageContaining("models--acme--other");
  }

  @Test
  void saysClearlyWhenARevisionIsNotCached() {
    assertThatThrownBy(() -> new HuggingFaceCache(hub).resolve("acme/tiny-llama", "v2"))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("revision 'v2' is not in the HuggingFace cache");
    assertThatThrownBy(() -> new HuggingFaceCache(hub).resolve("acme/tiny-llama", "c".repeat(40)))
        .hasMessageContaining("is not in the HuggingFace cache");
  }

  @Test
  void tellsModelIdsFromPaths() {
    assertThat(HuggingFaceCache.looksLikeModelId("meta-llama/Llama-3.2-1B")).isTrue();
    assertThat(HuggingFaceCache.looksLikeModelId("s3a://bucket/model")).isFalse();
    assertThat(HuggingFaceCache.looksLikeModelId("./my-finetune")).isFalse();
    assertThat(HuggingFaceCache.looksLikeModelId("/abs/path")).isFalse();
    assertThat(HuggingFaceCache.looksLikeModelId(Fixtures.model("llama-base").toString()))
        .isFalse();
  }

  private static void snapshot(Path repo, String commit, String model) throws IOException {
    Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(commit));
    Path blobs = Files.createDirectories(repo.resolve("blobs"));
    for (String file : new String[] {"config.json", "model.safetensors"}) {
      Path blob = blobs.resolve(commit + "-" + file);
      Files.copy(Fixtures.model(model).resolve(file), blob);
      Files.createSymbolicLink(snapshot.resolve(file), blob); // as huggingface_hub links them
    }
  }
}
