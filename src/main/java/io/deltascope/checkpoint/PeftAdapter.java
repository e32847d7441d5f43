package io.deltascope.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
  private static final String WEIGHT = ".weight";

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
    return baseOf(folder, LoraConfig.read(Locations.resolve(folder, CONFIG_FILE)));
  }

  static Checkpoint open(String location) {
    int mark = location.indexOf(BASE_MARK);
    String folder = mark < 0 ? location : location.substring(0, mark);
    String configFile = Locations.resolve(folder, CONFIG_FILE);
    if (!Locations.isFile(configFile)) {
      throw CheckpointException.of(folder, "no %s: not a PEFT adapter folder", CONFIG_FILE);
    }
    LoraConfig config = LoraConfig.read(configFile);
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

  private static String baseOf(String folder, LoraConfig config) {
    String name = config.baseModel();
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
      LoraConfig config,
      WeightsFile adapter,
      Checkpoint base,
      Map<String, TensorInfo> into) {
    Map<String, TensorInfo> stored = new TreeMap<>();
    adapter.tensors().forEach(t -> stored.put(t.name(), t));
    Set<String> adapted = new TreeSet<>();
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
        if (!config.targets().targets(m)) {
          throw CheckpointException.of(
              config.file(),
              "%s does not name '%s', which has LoRA factors in %s: PEFT would not apply them",
              config.targets().describeTargets(),
              m,
              file);
        }
        boolean transposed = embedding != null || config.fanInFanOut();
        into.put(m + ".weight", update(file, config, base, m, t, b, transposed));
        adapted.add(m);
      } else if (!name.contains("lora_B") && !name.contains("lora_embedding_B")) {
        String target = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
        TensorInfo replaced = base.tensor(target);
        if (replaced == null || !replaced.shape().equals(t.shape())) {
          throw mismatch(file, base, t.name(), target, replaced, t.shape().toString());
        }
        into.put(target, t.withName(target));
      }
    }
    requireFactorsOfEveryTarget(file, config, base, adapted);
  }

  /** A module of the base that the config targets has factors: PEFT would have saved them. */
  private static void requireFactorsOfEveryTarget(
      String file, LoraConfig config, Checkpoint base, Set<String> adapted) {
    for (String name : base.names()) {
      String module =
          name.endsWith(WEIGHT) ? name.substring(0, name.length() - WEIGHT.length()) : null;
      if (module != null && !adapted.contains(module) && config.targets().expectsFactors(module)) {
        throw CheckpointException.of(
            config.file(),
            "%s names '%s' of the base, which has no LoRA factors in %s",
            config.targets().describeTargets(),
            module,
            file);
      }
    }
  }

  private static String module(String name, String factor) {
    for (String suffix : List.of("." + factor + WEIGHT, "." + factor)) {
      if (name.endsWith(suffix) && name.startsWith(PREFIX)) {
        return name.substring(PREFIX.length(), name.length() - suffix.length());
      }
    }
    return null;
  }

  private static TensorInfo update(
      String file,
      LoraConfig config,
      Checkpoint base,
      String module,
      TensorInfo a,
      TensorInfo b,
      boolean transposed) {
    String target = module + WEIGHT;
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
    if (config.rankOf(module) != r) {
      // PEFT sizes the factors from the config: a state dict of another rank does not load
      throw CheckpointException.of(
          config.file(),
          "%s is %d, but the factors of '%s' in %s are of rank %d",
          config.rankSource(module),
          config.rankOf(module),
          module,
          file,
          r);
    }
    return new LowRankUpdate(weight, a, b, config.scaleOf(module), transposed).tensor();
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
