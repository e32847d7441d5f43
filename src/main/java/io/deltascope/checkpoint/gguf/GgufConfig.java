package io.deltascope.checkpoint.gguf;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.ModelConfig;
import java.util.Map;

/**
 * A GGUF file's hyperparameters ({@code ARCH.block_count}, {@code ARCH.embedding_length}, ...) as
 * the HuggingFace {@code config.json} the same model would have, so that a GGUF checkpoint has the
 * same {@link ModelConfig} as its source folder and the forward pass reads both alike.
 */
public final class GgufConfig {
  private GgufConfig() {}

  /** HuggingFace architecture class per GGUF architecture, where the family is known. */
  private static final Map<String, String> ARCHITECTURES =
      Map.of(
          "llama", "LlamaForCausalLM",
          "qwen2", "Qwen2ForCausalLM",
          "qwen3", "Qwen3ForCausalLM",
          "mistral", "MistralForCausalLM");

  /** llama.cpp's {@code general.file_type} (enum llama_ftype) as the config's dtype. */
  private static final Map<Long, String> FILE_TYPES =
      Map.ofEntries(
          Map.entry(0L, "float32"),
          Map.entry(1L, "float16"),
          Map.entry(2L, "Q4_0"),
          Map.entry(3L, "Q4_1"),
          Map.entry(7L, "Q8_0"),
          Map.entry(8L, "Q5_0"),
          Map.entry(9L, "Q5_1"),
          Map.entry(10L, "Q2_K"),
          Map.entry(11L, "Q3_K_S"),
          Map.entry(12L, "Q3_K_M"),
          Map.entry(13L, "Q3_K_L"),
          Map.entry(14L, "Q4_K_S"),
          Map.entry(15L, "Q4_K_M"),
          Map.entry(16L, "Q5_K_S"),
          Map.entry(17L, "Q5_K_M"),
          Map.entry(18L, "Q6_K"),
          Map.entry(32L, "bfloat16"));

  /** The config of {@code file}; {@code tied} when it stores no separate output head. */
  public static ModelConfig of(GgufFile file, boolean tied, long embeddingRows) {
    return ModelConfig.fromJson(json(file, tied, embeddingRows));
  }

  /** The equivalent config.json. */
  static ObjectNode json(GgufFile file, boolean tied, long embeddingRows) {
    String arch = file.architecture();
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    c.put("model_type", arch);
    if (ARCHITECTURES.containsKey(arch)) {
      c.putArray("architectures").add(ARCHITECTURES.get(arch));
    }
    putInt(c, "num_hidden_layers", file, arch + ".block_count");
    putInt(c, "hidden_size", file, arch + ".embedding_length");
    putInt(c, "intermediate_size", file, arch + ".feed_forward_length");
    putInt(c, "num_attention_heads", file, arch + ".attention.head_count");
    Long heads = integer(file, arch + ".attention.head_count");
    Long kvHeads = integer(file, arch + ".attention.head_count_kv");
    if (kvHeads != null || heads != null) {
      c.put("num_key_value_heads", kvHeads != null ? kvHeads : heads);
    }
    putInt(c, "head_dim", file, arch + ".attention.key_length");
    if (!c.has("head_dim") && heads != null && heads > 0 && c.has("hidden_size")) {
      c.put("head_dim", c.get("hidden_size").asLong() / heads);
    }
    putInt(c, "max_position_embeddings", file, arch + ".context_length");
    putNumber(c, "rms_norm_eps", file, arch + ".attention.layer_norm_rms_epsilon");
    putNumber(c, "rope_theta", file, arch + ".rope.freq_base");
    c.put("vocab_size", vocabSize(file, arch, embeddingRows));
    c.put("tie_word_embeddings", tied);
    putInt(c, "bos_token_id", file, "tokenizer.ggml.bos_token_id");
    putInt(c, "eos_token_id", file, "tokenizer.ggml.eos_token_id");
    Long fileType = integer(file, "general.file_type");
    if (fileType != null && FILE_TYPES.containsKey(fileType)) {
      c.put("dtype", FILE_TYPES.get(fileType));
    }
    return c;
  }

  private static long vocabSize(GgufFile file, String arch, long embeddingRows) {
    Long declared = integer(file, arch + ".vocab_size");
    if (declared != null) {
      return declared;
    }
    GgufValue tokens = file.get("tokenizer.ggml.tokens");
    if (tokens != null && tokens.asArray() != null) {
      return tokens.asArray().size();
    }
    return embeddingRows;
  }

  private static Long integer(GgufFile file, String key) {
    GgufValue v = file.get(key);
    return v == null ? null : v.asLong();
  }

  private static void putInt(ObjectNode c, String field, GgufFile file, String key) {
    Long v = integer(file, key);
    if (v != null) {
      c.put(field, v);
    }
  }

  /** A float32 as the decimal it was written from (1e-5, not 9.99999974738e-06). */
  private static void putNumber(ObjectNode c, String field, GgufFile file, String key) {
    GgufValue v = file.get(key);
    if (v == null || v.asDouble() == null) {
      return;
    }
    c.put(
        field, v.value() instanceof Float f ? Double.parseDouble(Float.toString(f)) : v.asDouble());
  }
}
