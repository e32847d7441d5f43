package io.deltascope.model;

import io.deltascope.checkpoint.CheckpointException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The decoder families the forward pass knows, by their {@code model_type}. */
public enum Family {
  LLAMA("llama"),
  MISTRAL("mistral"),
  QWEN2("qwen2"),
  QWEN3("qwen3"),
  GEMMA3("gemma3_text", "gemma3"),
  GPT2("gpt2");

  private final List<String> modelTypes;

  Family(String... modelTypes) {
    this.modelTypes = List.of(modelTypes);
  }

  /** The family of a {@code model_type}; throws, naming the supported ones, for any other. */
  public static Family of(String modelType, String location) {
    String type = modelType == null ? "" : modelType.toLowerCase(Locale.ROOT);
    for (Family f : values()) {
      if (f.modelTypes.contains(type)) {
        return f;
      }
    }
    throw CheckpointException.of(
        location,
        "unsupported architecture (model_type '%s'); the forward pass supports %s",
        type,
        supported());
  }

  /** "llama, mistral, qwen2, qwen3, gemma3_text, gpt2". */
  public static String supported() {
    return Arrays.stream(values()).map(f -> f.modelTypes.get(0)).collect(Collectors.joining(", "));
  }
}
