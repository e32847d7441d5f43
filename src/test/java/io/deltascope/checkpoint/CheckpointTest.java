package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  @Test
  void opensAShardedCheckpointThroughItsIndex() {
    Checkpoint qwen = Checkpoint.open(Fixtures.model("qwen2-base").toString());
    assertThat(qwen.files()).hasSize(7);
    assertThat(qwen.tensors()).hasSize(50).doesNotContainKey("lm_head.weight");
    assertThat(qwen.tensor("model.layers.0.self_attn.q_proj.bias").dtype()).isEqualTo(DType.F16);
    assertThat(qwen.config().tieWordEmbeddings()).isTrue();
    assertThat(qwen.config().modelType()).isEqualTo("qwen2");
    assertThat(qwen.config().ropeTheta()).isEqualTo(1_000_000.0);
  }

  @Test
  void opensASingleFileCheckpointAndItsConfig() {
    Checkpoint llama = Checkpoint.open(Fixtures.model("llama-base").toString());
    assertThat(llama.files()).hasSize(1);
    assertThat(llama.config().numLayers()).isEqualTo(4);
    assertThat(llama.config().hiddenSize()).isEqualTo(128);
    assertThat(llama.config().vocabSize()).isEqualTo(1024);
    assertThat(llama.config().dtype()).isEqualTo("bfloat16");
    assertThat(llama.config().tieWordEmbeddings()).isFalse();
  }

  @Test
  void opensABareSafetensorsFile() {
    Path file = Fixtures.model("gpt2-base").resolve("model.safetensors");
    Checkpoint gpt2 = Checkpoint.open(file.toString());
    assertThat(gpt2.config().modelType()).isEqualTo("gpt2");
    assertThat(gpt2.tensors()).containsKey("transformer.wte.weight");
  }

  @Test
  void readsTransformers4StyleConfigs() throws IOException {
    Path folder = copyOf("llama-base");
    Files.writeString(
        folder.resolve("config.json"),
        "{\"model_type\": \"llama\", \"num_hidden_layers\": 4, \"hidden_size\": 128,"
            + " \"vocab_size\": 1024, \"rope_theta\": 500000.0, \"torch_dtype\": \"bfloat16\","
            + " \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}}");
    ModelConfig config = Checkpoint.open(folder.toString()).config();
    assertThat(config.ropeTheta()).isEqualTo(500000.0);
    assertThat(config.dtype()).isEqualTo("bfloat16");
    assertThat(config.tieWordEmbeddings()).isFalse();
  }

  @Test
  void tiesGpt2AndGemmaByDefaultWhenTheConfigIsSilent() {
    assertThat(config("{\"model_type\": \"gpt2\"}").tieWordEmbeddings()).isTrue();
    assertThat(config("{\"model_type\": \"gemma3_text\"}").tieWordEmbeddings()).isTrue();
    assertThat(config("{\"model_type\": \"llama\"}").tieWordEmbeddings()).isFalse();
  }

  @Test
  void readsTheTextConfigOfAMultimodalWrapper() {
    ModelConfig c =
        config(
            "{\"model_type\": \"gemma3\", \"text_config\": {\"model_type\": \"gemma3_text\","
                + " \"num_hidden_layers\": 26, \"hidden_size\": 1152}}");
    assertThat(c.modelType()).isEqualTo("gemma3_text");
    assertThat(c.numLayers()).isEqualTo(26);
  }

  @Test
  void refusesAPathThatDoesNotExist() {
    Path missing = dir.resolve("nowhere");
    assertError(missing.toString(), missing + ": no such file or folder");
  }

  @Test
  void refusesAFolderWithoutWeights() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertError(
        empty.toString(),
        "no model.safetensors, model.safetensors.index.json, pytorch_model.bin or"
            + " pytorch_model.bin.index.json");
  }

  @Test
  void refusesAnIndexThatNamesAMissingShard() throws IOException {
    Path folder = copyOf("qwen2-base");
    Files.delete(folder.resolve("model-00003-of-00007.safetensors"));
    assertError(
        folder.toString(),
        folder.resolve("model.safetensors.index.json")
            + ": shard 'model-00003-of-00007.safetensors' named in weight_map does not exist");
  }

  @Test
  void refusesAShardPathThatLeavesTheFolder() throws IOException {
    Path folder = copyOf("qwen2-base");
    Path index = folder.resolve("model.safetensors.index.json");
    Files.writeString(
        index,
        Files.readString(index)
            .replaceFirst("model-00001-of-00007.safetensors", "../../etc/passwd"));
    assertError(folder.toString(), "shard path '../../etc/passwd' for tensor");
  }

  @Test
  void refusesAnIndexThatIsNotJson() throws IOException {
    Path folder = copyOf("qwen2-base");
    Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"weight_map\": ");
    assertError(folder.toString(), "model.safetensors.index.json: not valid JSON");
  }

  @Test
  void refusesATensorTheIndexPutsInTheWrongShard() throws IOException {
    Path folder = copyOf("qwen2-base");
    Path index = folder.resolve("model.safetensors.index.json");
    String json = Files.readString(index);
    Files.writeString(
        index,
        json.replaceFirst(
            "(\"model.norm.weight\": \")[^\"]+\"", "$1model-00001-of-00007.safetensors\""));
    assertError(
        folder.toString(),
        "tensor 'model.norm.weight' is mapped to shard 'model-00001-of-00007.safetensors',"
            + " whose header does not have it");
  }

  @Test
  void refusesATruncatedWeightsFile() throws IOException {
    Path folder = copyOf("llama-base");
    Path weights = folder.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(weights);
    Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length - 100));
    assertError(folder.toString(), "run past the data section");
  }

  @Test
  void refusesAConfigThatIsNotJson() throws IOException {
    Path folder = copyOf("llama-base");
    Files.writeString(folder.resolve("config.json"), "{nope");
    assertError(folder.toString(), "config.json: not valid JSON");
  }

  private static ModelConfig config(String json) {
    try {
      return ModelConfig.fromJson(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path copyOf(String model) throws IOException {
    Path target = Files.createDirectories(dir.resolve(model));
    try (Stream<Path> files = Files.list(Fixtures.model(model))) {
      for (Path f : files.toList()) {
        Files.copy(f, target.resolve(f.getFileName()));
      }
    }
    return target;
  }

  @Test
  void aConfigOrTokenizerFileSaysItIsNotACheckpoint() throws IOException {
    for (String name : new String[] {"config.json", "tokenizer.json"}) {
      Path file = Fixtures.model("llama-base").resolve(name);
      assertThatThrownBy(() -> Checkpoint.open(file.toString()))
          .isInstanceOf(CheckpointException.class)
          .hasMessage(
              file
                  + ": a JSON file, not a checkpoint's weights: pass the checkpoint's folder, or its"
                  + " .safetensors, .bin or .gguf file");
    }
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "fine-tuned on a weekend");
    assertError(
        text.toString(),
        "notes.txt: not a checkpoint (neither safetensors, a PyTorch zip nor GGUF)");
  }

  @Test
  void aFolderWithOnlyPytorchWeightsOrOnlyAnAdapterIsOpened() {
    Path bin = Fixtures.root().resolve("pytorch").resolve("llama-sft-bin");
    assertThat(Checkpoint.open(bin.toString()).files()).singleElement().asString().endsWith(".bin");
    // an adapter alone names its base, which is not here: the error says what to do
    assertError(Fixtures.model("llama-lora-adapter").toString(), "pass its base with -b BASE");
  }

  private static void assertError(String location, String problem) {
    assertThatThrownBy(() -> Checkpoint.open(location))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(problem)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
