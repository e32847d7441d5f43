package io.deltascope.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PEFT LoRA adapter's {@code adapter_config.json}, read as PEFT reads it: the rank and alpha of
 * each module ({@code r}, {@code lora_alpha}, {@code rank_pattern}, {@code alpha_pattern}), which
 * modules the adapter targets ({@link PeftTargets}), {@code use_rslora} and {@code fan_in_fan_out}.
 *
 * @param file the config file, named in every error
 * @param baseModel {@code base_model_name_or_path} ("" when absent)
 * @param r the rank of a module no rank_pattern key matches (PEFT's default 8 when absent)
 * @param alpha lora_alpha of a module no alpha_pattern key matches
 * @param rankPattern rank by module key, in the config's order (PEFT takes the first match)
 * @param alphaPattern lora_alpha by module key, in the config's order
 * @param targets the modules the adapter applies to, and those it stores whole
 * @param rsLora whether the scale is alpha / sqrt(r) instead of alpha / r
 * @param fanInFanOut whether target weights are stored [in, out] (GPT-2's Conv1D)
 */
public record LoraConfig(
    String file,
    String baseModel,
    int r,
    double alpha,
    Map<String, Integer> rankPattern,
    Map<String, Double> alphaPattern,
    PeftTargets targets,
    boolean rsLora,
    boolean fanInFanOut) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PEFT_DEFAULT_R = 8;

  /** Reads {@code file}; one line naming it for anything PEFT would not load or we cannot apply. */
  public static LoraConfig read(String file) {
    JsonNode config = parse(file);
    String type = config.path("peft_type").asText("");
    if (!type.equals("LORA")) {
      throw CheckpointException.of(
          file, "PEFT type '%s' is not supported: deltascope reads LoRA adapters", type);
    }
    if (config.path("use_dora").asBoolean(false)) {
      throw CheckpointException.of(
          file, "a DoRA adapter (use_dora): not supported, deltascope reads plain LoRA adapters");
    }
    if (!config.path("lora_alpha").isNumber()) {
      throw CheckpointException.of(file, "no lora_alpha");
    }
    int r = rank(file, "r", config.get("r"));
    if (r <= 0) {
      // PEFT: "`r` should be a positive integer value"
      throw CheckpointException.of(file, "r is %d: a LoRA rank must be a positive integer", r);
    }
    return new LoraConfig(
        file,
        config.path("base_model_name_or_path").asText(""),
        r,
        config.get("lora_alpha").asDouble(),
        ranks(file, config.path("rank_pattern")),
        alphas(file, config.path("alpha_pattern")),
        PeftTargets.of(file, config),
        config.path("use_rslora").asBoolean(false),
        config.path("fan_in_fan_out").asBoolean(false));
  }

  /** The rank PEFT gives {@code module}: its rank_pattern entry, else r. */
  public int rankOf(String module) {
    String key = PeftTargets.patternKey(rankPattern.keySet(), module);
    return key == null ? r : rankPattern.get(key);
  }

  /** Where {@link #rankOf} comes from, for an error: "r" or "rank_pattern['q_proj']". */
  public String rankSource(String module) {
    String key = PeftTargets.patternKey(rankPattern.keySet(), module);
    return key == null ? "r" : "rank_pattern['" + key + "']";
  }

  /** The update's scale on {@code module}: alpha / r, or alpha / sqrt(r) with rsLoRA. */
  public double scaleOf(String module) {
    String key = PeftTargets.patternKey(alphaPattern.keySet(), module);
    double a = key == null ? alpha : alphaPattern.get(key);
    int rank = rankOf(module);
    return rsLora ? a / Math.sqrt(rank) : a / rank;
  }

  private static JsonNode parse(String file) {
    JsonNode config;
    try {
      config = JSON.readTree(new String(Locations.readAll(file), StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw CheckpointException.of(
          file, "not valid JSON: %s", e.getOriginalMessage().replace('\n', ' '));
    }
    if (config == null || !config.isObject()) {
      throw CheckpointException.of(file, "not a JSON object");
    }
    return config;
  }

  private static int rank(String file, String what, JsonNode value) {
    if (value == null || value.isNull()) {
      return PEFT_DEFAULT_R;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw CheckpointException.of(file, "%s is %s: a LoRA rank must be an integer", what, value);
    }
    return value.asInt();
  }

  private static Map<String, Integer> ranks(String file, JsonNode pattern) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : entries(file, "rank_pattern", pattern)) {
      int r = rank(file, "rank_pattern['" + e.getKey() + "']", e.getValue());
      if (r <= 0) {
        throw CheckpointException.of(
            file,
            "rank_pattern['%s'] is %d: a LoRA rank must be a positive integer",
            e.getKey(),
            r);
      }
      out.put(e.getKey(), r);
    }
    return out;
  }

  private static Map<String, Double> alphas(String file, JsonNode pattern) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : entries(file, "alpha_pattern", pattern)) {
      if (!e.getValue().isNumber()) {
        throw CheckpointException.of(
            file, "alpha_pattern['%s'] is %s, not a number", e.getKey(), e.getValue());
      }
      out.put(e.getKey(), e.getValue().asDouble());
    }
    return out;
  }

  private static List<Map.Entry<String, JsonNode>> entries(
      String file, String what, JsonNode pattern) {
    if (pattern.isMissingNode() || pattern.isNull()) {
      return List.of();
    }
    if (!pattern.isObject()) {
      throw CheckpointException.of(file, "%s is not an object of module keys", what);
    }
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    pattern.fields().forEachRemaining(out::add);
    return out;
  }
}
