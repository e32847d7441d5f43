package io.deltascope.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An unmerged PEFT LoRA adapter ({@code adapter_config.json} and {@code adapter_model.safetensors})
 * as the checkpoint it defines: its base's tensors, each target weight replaced by base + scale * B
 * A ({@link LowRankUpdate}, computed as read), and the tensors it stores whole (modules_to_save,
 * biases) in place of the base's. Nothing is merged.
 *
 * <p>A location {@code ADAPTER#base=BASE} names the base explicitly (what {@code -b} gives);
 * without it the base is the config's {@code base_model_name_or_path}: a path, or a model id in the
 * HuggingFace cache.
 */
public final class PeftAdapter {
  public static final String CONFIG_FILE = "adapter_config.json";
  static final String BASE_MARK = "#base=";
  private static final List<String> WEIGHTS =
      List.of("adapter_model.safetensors", "adapter_model.bin");
  private static final String PREFIX = "base_model.model.";
  private static final ObjectMapper JSON = new ObjectMapper();

  private PeftAdapter() {}

  /** Whether {@code location} is a folder holding an adapter_config.json. */
  public static boolean isAdapter(String location) {
    return location.contains(BASE_MARK)
        || (Locations.isDirectory(location)
            && Locations.isFile(Locations.resolve(location, CONFIG_FILE)));
  }

  /** The location of the adapter at {@code adapter} applied to the checkpoint at {@code base}. */
  public static String over(String adapter, String base) {
    return adapter + BASE_MARK + base;
  }

  /**
   * The folder whose tokenizer an adapter uses: its own when it has a tokenizer.json (an adapter
   * that added tokens), else its base's.
   */
  public static String tokenizerFolder(String location, String tokenizerFile) {
    int mark = location.indexOf(BASE_MARK);
    String folder = mark < 0 ? location : location.substring(0, mark);
    if (Locations.isFile(Locations.resolve(folder, tokenizerFile))) {
      return folder;
    }
    if (mark >= 0) {
      return location.substring(mark + BASE_MARK.length());
    }
    return baseOf(folder, readConfig(Locations.resolve(folder, CONFIG_FILE)));
  }

  static Checkpoint open(String location) {
    int mark = location.indexOf(BASE_MARK);
    String folder = mark < 0 ? location : location.substring(0, mark);
    String configFile = Locations.resolve(folder, CONFIG_FILE);
    if (!Locations.isFile(configFile)) {
      throw CheckpointException.of(folder, "no %s: not a PEFT adapter folder", CONFIG_FILE);
    }
    JsonNode config = readConfig(configFile);
    String base = mark < 0 ? baseOf(folder, config) : location.substring(mark + BASE_MARK.length());
    Checkpoint baseCheckpoint = Checkpoint.open(base);
    String weights = weightsFile(folder);
    WeightsFile adapter = Checkpoint.readWeights(weights);
    Map<String, TensorInfo> tensors = new TreeMap<>(baseCheckpoint.tensors());
    apply(weights, config, adapter, baseCheckpoint, tensors);
    List<String> files = new ArrayList<>(baseCheckpoint.files());
    files.add(weights);
    return new Checkpoint(
        location,
        baseCheckpoint.config(),
        Collections.unmodifiableMap(tensors),
        baseCheckpoint.metadata(),
        List.copyOf(files));
  }

  private static JsonNode readConfig(String file) {
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
    String type = config.path("peft_type").asText("");
    if (!type.equals("LORA")) {
      throw CheckpointException.of(
          file, "PEFT type '%s' is not supported: deltascope reads LoRA adapters", type);
    }
    if (config.path("use_dora").asBoolean(false)) {
      throw CheckpointException.of(
          file, "a DoRA adapter (use_dora): not supported, deltascope reads plain LoRA adapters");
    }
    if (!config.path("alpha_pattern").isEmpty()) {
      throw CheckpointException.of(file, "alpha_pattern (per-module lora_alpha) is not supported");
    }
    if (!config.path("lora_alpha").isNumber()) {
      throw CheckpointException.of(file, "no lora_alpha");
    }
    return config;
  }

  private static String baseOf(String folder, JsonNode config) {
    String name = config.path("base_model_name_or_path").asText("");
    if (!name.isEmpty() && Locations.exists(name)) {
      return name;
    }
    if (HuggingFaceCache.looksLikeModelId(name)) {
      try {
        return HuggingFaceCache.fromEnvironment(Environment.get()).resolve(name, null);
      } catch (CheckpointException e) {
        // said below, with what to do
      }
    }
    throw CheckpointException.of(
        folder,
        "a LoRA adapter whose base_model_name_or_path '%s' is neither a local path nor in the"
            + " HuggingFace cache: pass its base with -b BASE",
        name);
  }

  private static String weightsFile(String folder) {
    for (String name : WEIGHTS) {
      String file = Locations.resolve(folder, name);
      if (Locations.isFile(file)) {
        return file;
      }
    }
    throw CheckpointException.of(folder, "a PEFT adapter folder without %s", WEIGHTS.get(0));
  }

  private static void apply(
      String file,
      JsonNode config,
      WeightsFile adapter,
      Checkpoint base,
      Map<String, TensorInfo> into) {
    Map<String, TensorInfo> stored = new TreeMap<>();
    adapter.tensors().forEach(t -> stored.put(t.name(), t));
    for (TensorInfo t : adapter.tensors()) {
      String name = t.name().replace(".default.", ".").replace(".modules_to_save.", ".");
      String module = module(name, "lora_A");
      String embedding = module(name, "lora_embedding_A");
      if (module != null || embedding != null) {
        String m = module != null ? module : embedding;
        String bName =
            t.name().replace("lora_embedding_A", "lora_embedding_B").replace("lora_A", "lora_B");
        TensorInfo b = stored.get(bName);
        if (b == null) {
          throw CheckpointException.of(file, "'%s' has no lora_B factor '%s'", t.name(), bName);
        }
        boolean transposed = embedding != null || config.path("fan_in_fan_out").asBoolean(false);
        into.put(m + ".weight", update(file, config, base, m + ".weight", t, b, transposed));
      } else if (!name.contains("lora_B") && !name.contains("lora_embedding_B")) {
        String target = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
        TensorInfo replaced = base.tensor(target);
        if (replaced == null || !replaced.shape().equals(t.shape())) {
          throw mismatch(file, base, t.name(), target, replaced, t.shape().toString());
        }
        into.put(target, t.withName(target));
      }
    }
  }

  private static String module(String name, String factor) {
    for (String suffix : List.of("." + factor + ".weight", "." + factor)) {
      if (name.endsWith(suffix) && name.startsWith(PREFIX)) {
        return name.substring(PREFIX.length(), name.length() - suffix.length());
      }
    }
    return null;
  }

  private static TensorInfo update(
      String file,
      JsonNode config,
      Checkpoint base,
      String target,
      TensorInfo a,
      TensorInfo b,
      boolean transposed) {
    TensorInfo weight = base.tensor(target);
    long r = a.shape().rank() == 2 ? a.shape().dim(0) : -1;
    boolean fits =
        weight != null
            && weight.shape().rank() == 2
            && r > 0
            && b.shape().rank() == 2
            && b.shape().dim(1) == r
            && weight.shape().dim(transposed ? 1 : 0) == b.shape().dim(0)
            && weight.shape().dim(transposed ? 0 : 1) == a.shape().dim(1);
    if (!fits) {
      String factors = "B " + b.shape() + " A " + a.shape();
      throw mismatch(file, base, a.name(), target, weight, factors);
    }
    double alpha = config.path("lora_alpha").asDouble();
    double scale = config.path("use_rslora").asBoolean(false) ? alpha / Math.sqrt(r) : alpha / r;
    return new LowRankUpdate(weight, a, b, scale, transposed).tensor();
  }

  private static CheckpointException mismatch(
      String file, Checkpoint base, String name, String target, TensorInfo found, String shape) {
    return CheckpointException.of(
        file,
        "'%s' (%s) does not fit its base %s: %s",
        name,
        shape,
        base.location(),
        found == null
            ? "it has no tensor '" + target + "'"
            : "'" + target + "' is " + found.shape());
  }
}
