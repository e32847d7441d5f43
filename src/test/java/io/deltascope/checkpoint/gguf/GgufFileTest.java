package io.deltascope.checkpoint.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The GGUF header as llama.cpp's own gguf-py reads it (the fixtures' NAME.gguf.json). */
class GgufFileTest {

  static Path gguf(String name) {
    return Fixtures.root().resolve("gguf").resolve(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-sft.f16.gguf", "llama-sft.q8_0.gguf", "llama-sft.q4_0.gguf"})
  void listsEveryTensorWithTheOraclesTypeDimsOffsetAndSize(String name) {
    GgufFile file = GgufFile.read(gguf(name).toString());
    JsonNode oracle = Fixtures.json(gguf(name + ".json"));

    assertThat(file.version()).isEqualTo(3);
    assertThat(file.alignment()).isEqualTo(oracle.get("alignment").asInt());
    // gguf-py counts its three header fields (magic, version, counts) among the fields
    assertThat(file.metadata()).hasSize(oracle.get("n_kv").asInt() - 3);
    Map<String, GgufTensor> byName =
        file.tensors().stream().collect(Collectors.toMap(GgufTensor::name, t -> t));
    assertThat(byName).hasSize(oracle.get("tensors").size());
    for (JsonNode expected : oracle.get("tensors")) {
      GgufTensor t = byName.get(expected.get("gguf_name").asText());
      assertThat(t).as(expected.get("gguf_name").asText()).isNotNull();
      assertThat(t.type().name()).isEqualTo(expected.get("ggml_type").asText());
      assertThat(t.dims()).containsExactly(longs(expected.get("gguf_dims")));
      assertThat(t.shape().dims()).containsExactly(longs(expected.get("hf_shape")));
      assertThat(t.offset()).isEqualTo(expected.get("data_offset").asLong());
      assertThat(t.byteLength()).isEqualTo(expected.get("n_bytes").asLong());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-sft.f16.gguf", "llama-sft.q8_0.gguf", "llama-sft.q4_0.gguf"})
  void opensAsACheckpointWithHuggingFaceNamesAndShapes(String name) {
    Checkpoint checkpoint = Checkpoint.open(gguf(name).toString());
    JsonNode oracle = Fixtures.json(gguf(name + ".json"));

    assertThat(checkpoint.isGguf()).isTrue();
    List<String> hfNames = new ArrayList<>();
    for (JsonNode expected : oracle.get("tensors")) {
      String hf = expected.get("hf_name").asText();
      hfNames.add(hf);
      TensorInfo t = checkpoint.tensor(hf);
      assertThat(t).as(hf).isNotNull();
      assertThat(t.shape().dims()).containsExactly(longs(expected.get("hf_shape")));
      assertThat(t.dtype().name()).isEqualTo(expected.get("ggml_type").asText());
      assertThat(t.offset()).isEqualTo(expected.get("data_offset").asLong());
      assertThat(LlamaNames.toGguf(hf)).isEqualTo(expected.get("gguf_name").asText());
      boolean rotary = hf.endsWith("q_proj.weight") || hf.endsWith("k_proj.weight");
      assertThat(t.rowOrder() != null).as(hf).isEqualTo(rotary);
    }
    assertThat(checkpoint.names()).containsExactlyInAnyOrderElementsOf(hfNames);
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-sft.f16.gguf", "llama-sft.q4_0.gguf"})
  void readsEveryMetadataValueTypeTheFileHolds(String name) {
    GgufFile file = GgufFile.read(gguf(name).toString());

    assertThat(file.architecture()).isEqualTo("llama");
    assertThat(file.get("general.name").asString()).isEqualTo("llama-sft");
    assertThat(file.get("llama.block_count").type()).isEqualTo(GgufValueType.UINT32);
    assertThat(file.get("llama.block_count").asLong()).isEqualTo(4);
    assertThat(file.get("llama.rope.freq_base").type()).isEqualTo(GgufValueType.FLOAT32);
    assertThat(file.get("llama.rope.freq_base").asDouble()).isEqualTo(10000.0);
    List<GgufValue> tokens = file.get("tokenizer.ggml.tokens").asArray();
    assertThat(tokens).hasSize(1024);
    assertThat(tokens).allMatch(v -> v.type() == GgufValueType.STRING);
    assertThat(file.get("tokenizer.ggml.token_type").asArray())
        .hasSize(1024)
        .allMatch(v -> v.type() == GgufValueType.INT32);
  }

  static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
