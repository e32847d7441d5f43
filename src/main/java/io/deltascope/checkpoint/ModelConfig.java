package io.deltascope.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The parts of a HuggingFace {@code config.json} that every command needs, read from both the
 * transformers 4.x style ({@code rope_theta}, {@code rope_scaling}, {@code torch_dtype} at the top
 * level) and the 5.x style ({@code rope_parameters}, {@code dtype}). The whole document stays
 * available as {@link #raw()} for the forward pass, which needs each family's particulars.
 *
 * @param modelType {@code model_type} ("llama", "gemma3_text"); "" when unknown
 * @param architectures {@code architectures}
 * @param numLayers {@code num_hidden_layers} (or GPT-2's {@code n_layer}); 0 when absent
 * @param hiddenSize {@code hidden_size} (or {@code n_embd}); 0 when absent
 * @param vocabSize {@code vocab_size}; 0 when absent
 * @param tieWordEmbeddings whether the output head shares the input embedding
 * @param dtype the stored dtype the config declares ("bfloat16"), or null
 * @param ropeTheta the rotary base, or null for models without rotary embeddings
 * @param rawJson the whole config as JSON text
 */
public record ModelConfig(
    String modelType,
    List<String> architectures,
    int numLayers,
    int hiddenSize,
    int vocabSize,
    boolean tieWordEmbeddings,
    String dtype,
    Double ropeTheta,
    String rawJson)
    implements Serializable {

  private static final ObjectMapper JSON = new ObjectMapper();

  // transformers' own defaults when config.json omits tie_word_embeddings
  private static final Set<String> TIED_BY_DEFAULT =
      Set.of("gpt2", "gemma", "gemma2", "gemma3", "gemma3_text");

  /** A config with nothing known, for a bare safetensors file without config.json. */
  public static ModelConfig unknown() {
    return new ModelConfig("", List.of(), 0, 0, 0, false, null, null, "{}");
  }

  public static ModelConfig read(String location) {
    byte[] bytes = Locations.readAll(location);
    try {
      JsonNode node = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
      if (node == null || !node.isObject()) {
        throw CheckpointException.of(location, "config is not a JSON object");
      }
      return fromJson(node);
    } catch (JsonProcessingException e) {
      throw CheckpointException.of(
          location, "not valid JSON: %s", e.getOriginalMessage().replace('\n', ' '));
    }
  }

  public static ModelConfig fromJson(JsonNode node) {
    // Multimodal wrappers (Gemma3ForConditionalGeneration) keep the decoder under text_config.
    JsonNode text = node.path("text_config").isObject() ? merged(node) : node;
    String modelType = text.path("model_type").asText("");
    List<String> architectures = List.of();
    if (node.path("architectures").isArray()) {
      architectures =
          java.util.stream.StreamSupport.stream(node.get("architectures").spliterator(), false)
              .map(JsonNode::asText)
              .toList();
    }
    boolean tied =
        text.has("tie_word_embeddings")
            ? text.get("tie_word_embeddings").asBoolean()
            : TIED_BY_DEFAULT.contains(modelType);
    String dtype = firstText(text, "dtype", "torch_dtype");
    return new ModelConfig(
        modelType,
        architectures,
        firstInt(text, "num_hidden_layers", "n_layer"),
        firstInt(text, "hidden_size", "n_embd"),
        firstInt(text, "vocab_size"),
        tied,
        dtype,
        ropeTheta(text),
        text.toString());
  }

  /** The parsed {@link #rawJson()}. */
  public JsonNode raw() {
    try {
      return JSON.readTree(rawJson);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("config JSON was valid when read", e);
    }
  }

  /**
   * The rope base: 5.x {@code rope_parameters.rope_theta}, else 4.x top-level {@code rope_theta}.
   */
  static Double ropeTheta(JsonNode node) {
    JsonNode params = node.path("rope_parameters");
    if (params.path("rope_theta").isNumber()) {
      return params.get("rope_theta").asDouble();
    }
    if (node.path("rope_theta").isNumber()) {
      return node.get("rope_theta").asDouble();
    }
    return null;
  }

  private static JsonNode merged(JsonNode node) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.setAll((ObjectNode) node);
    out.setAll((ObjectNode) node.get("text_config"));
    return out;
  }

  private static int firstInt(JsonNode node, String... keys) {
    for (String key : keys) {
      if (node.path(key).isNumber()) {
        return node.get(key).asInt();
      }
    }
    return 0;
  }

  private static String firstText(JsonNode node, String... keys) {
    for (String key : keys) {
      if (node.path(key).isTextual()) {
        return node.get(key).asText();
      }
    }
    return null;
  }
}
