package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What people point deltascope at by mistake is named as what it is. */
class OddFilesTest {
  @TempDir Path dir;

  @Test
  void aSymlinkLoopIsNamedALoop() throws Exception {
    Path loop = dir.resolve("loop");
    Files.createSymbolicLink(loop, loop);
    assertThatThrownBy(() -> Checkpoint.open(loop.toString()))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(loop + ": a symbolic link loop");
  }

  @Test
  void aDanglingLinkNamesItsTarget() throws Exception {
    Path link = dir.resolve("model");
    Files.createSymbolicLink(link, dir.resolve("gone"));
    assertThatThrownBy(() -> Checkpoint.open(link.toString()))
        .hasMessage(
            link + ": a symbolic link to " + dir.resolve("gone") + ", which does not exist");
  }

  @Test
  void aModelSafetensorsThatIsAFolderIsNamedAFolder() throws Exception {
    Path model = Files.createDirectories(dir.resolve("m"));
    Files.copy(Fixtures.model("llama-base").resolve("config.json"), model.resolve("config.json"));
    Files.createDirectories(model.resolve("model.safetensors"));
    assertThatThrownBy(() -> Checkpoint.open(model.toString()))
        .isInstanceOf(CheckpointException.class)
        .hasMessage(model.resolve("model.safetensors") + ": is a folder, expected a file");
  }

  @Test
  void aModelSafetensorsLinkingToItsOwnFolderIsNamedAFolder() throws Exception {
    Path model = Files.createDirectories(dir.resolve("self"));
    Files.createSymbolicLink(model.resolve("model.safetensors"), model);
    assertThatThrownBy(() -> Checkpoint.open(model.toString()))
        .hasMessage(model.resolve("model.safetensors") + ": is a folder, expected a file");
  }

  @Test
  void aWeightsLinkLoopInsideAFolderIsNamedALoop() throws Exception {
    Path model = Files.createDirectories(dir.resolve("looped"));
    Path weights = model.resolve("model.safetensors");
    Files.createSymbolicLink(weights, weights);
    assertThatThrownBy(() -> Checkpoint.open(model.toString()))
        .hasMessageStartingWith(weights + ": a symbolic link loop");
  }
}
