package io.deltascope.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A GGUF's hyperparameters give the config its HuggingFace source folder has. */
class GgufConfigTest {

  @ParameterizedTest
  @ValueSource(strings = {"llama-sft.f16.gguf", "llama-sft.q8_0.gguf", "llama-sft.q4_0.gguf"})
  void givesTheSameModelConfigAsTheSourceFolder(String name) {
    ModelConfig hf = Checkpoint.open(Fixtures.model("llama-sft").toString()).config();
    ModelConfig gguf = Checkpoint.open(GgufFileTest.gguf(name).toString()).config();

    assertThat(gguf.modelType()).isEqualTo(hf.modelType()).isEqualTo("llama");
    assertThat(gguf.architectures()).isEqualTo(hf.architectures());
    assertThat(gguf.numLayers()).isEqualTo(hf.numLayers()).isEqualTo(4);
    assertThat(gguf.hiddenSize()).isEqualTo(hf.hiddenSize()).isEqualTo(128);
    assertThat(gguf.vocabSize()).isEqualTo(hf.vocabSize()).isEqualTo(1024);
    assertThat(gguf.tieWordEmbeddings()).isEqualTo(hf.tieWordEmbeddings()).isFalse();
    assertThat(gguf.ropeTheta()).isEqualTo(hf.ropeTheta()).isEqualTo(10000.0);
    JsonNode a = hf.raw();
    JsonNode b = gguf.raw();
    for (String field :
        new String[] {
          "num_attention_heads",
          "num_key_value_heads",
          "intermediate_size",
          "head_dim",
          "max_position_embeddings",
          "rms_norm_eps",
          "bos_token_id",
          "eos_token_id"
        }) {
      assertThat(b.get(field)).as(field).isNotNull();
      assertThat(b.get(field).asDouble()).as(field).isEqualTo(a.get(field).asDouble());
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "llama-sft.f16.gguf:float16",
        "llama-sft.q8_0.gguf:Q8_0",
        "llama-sft.q4_0.gguf:Q4_0"
      })
  void namesTheFileTypeAsTheDtype(String nameAndType) {
    String[] parts = nameAndType.split(":");
    ModelConfig gguf = Checkpoint.open(GgufFileTest.gguf(parts[0]).toString()).config();

    assertThat(gguf.dtype()).isEqualTo(parts[1]);
  }
}
