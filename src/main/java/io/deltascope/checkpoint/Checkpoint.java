package io.deltascope.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltascope.checkpoint.gguf.GgufCheckpoint;
import io.deltascope.checkpoint.gguf.GgufFile;
import io.deltascope.checkpoint.pytorch.PyTorchFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A checkpoint (a HuggingFace folder, a safetensors file or a GGUF file): its config and the
 * catalogue of its tensors, read from headers only. No tensor data is read here; {@link TensorInfo}
 * says where each tensor's bytes are.
 *
 * @param location the folder (or single safetensors file) as the user named it
 * @param config the model config ({@link ModelConfig#unknown()} without config.json)
 * @param tensors every tensor by name, sorted by name
 * @param metadata the {@code __metadata__} of the (first) weights file
 * @param files the weights files read, in order
 * @param ties names stored as a second name for a tensor's bytes, to that tensor's name ({@link
 *     WeightsFile#ties()}): not in {@code tensors}, as a tied head is not in safetensors
 */
public record Checkpoint(
    String location,
    ModelConfig config,
    Map<String, TensorInfo> tensors,
    Map<String, String> metadata,
    List<String> files,
    Map<String, String> ties) {

  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";
  public static final String CONFIG_FILE = "config.json";
  public static final String PYTORCH_FILE = "pytorch_model.bin";
  public static final String PYTORCH_INDEX_FILE = "pytorch_model.bin.index.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A checkpoint whose every name is a tensor of its own. */
  public Checkpoint(
      String location,
      ModelConfig config,
      Map<String, TensorInfo> tensors,
      Map<String, String> metadata,
      List<String> files) {
    this(location, config, tensors, metadata, files, Map.of());
  }

  /** Opens a checkpoint folder, a single {@code .safetensors} file, or a GGUF file. */
  public static Checkpoint open(String location) {
    if (location.contains(PeftAdapter.BASE_MARK)) {
      return PeftAdapter.open(location);
    }
    if (!Locations.exists(location)) {
      throw CheckpointException.of(location, Locations.whyMissing(location));
    }
    if (Locations.isFile(location) && isGgufFile(location)) {
      return GgufCheckpoint.open(location);
    }
    if (Locations.isFile(location)) {
      String file = Locations.resolve(Locations.parent(location), fileName(location));
      return fromSingleFile(location, readWeights(file), configBeside(Locations.parent(location)));
    }
    ModelConfig config = configBeside(location);
    String index = Locations.resolve(location, INDEX_FILE);
    if (Locations.isFile(index)) {
      return fromIndex(location, index, config, SafetensorsFile::read);
    }
    String single = Locations.resolve(location, SINGLE_FILE);
    if (Locations.isFile(single)) {
      return fromSingleFile(location, SafetensorsFile.read(single), config);
    }
    String pytorchIndex = Locations.resolve(location, PYTORCH_INDEX_FILE);
    if (Locations.isFile(pytorchIndex)) {
      return fromIndex(location, pytorchIndex, config, PyTorchFile::read);
    }
    String pytorch = Locations.resolve(location, PYTORCH_FILE);
    if (Locations.isFile(pytorch)) {
      return fromSingleFile(location, PyTorchFile.read(pytorch), config);
    }
    if (Locations.isFile(Locations.resolve(location, PeftAdapter.CONFIG_FILE))) {
      return PeftAdapter.open(location);
    }
    Locations.requireFileOrNothing(index);
    Locations.requireFileOrNothing(single);
    throw CheckpointException.of(
        location,
        "no %s, %s, %s or %s: not a HuggingFace checkpoint folder",
        SINGLE_FILE,
        INDEX_FILE,
        PYTORCH_FILE,
        PYTORCH_INDEX_FILE);
  }

  /** Whether the checkpoint was read from a GGUF file (llama.cpp's format). */
  public boolean isGguf() {
    return GgufCheckpoint.isGguf(this);
  }

  /** Names of the tensors, sorted. */
  public List<String> names() {
    return List.copyOf(tensors.keySet());
  }

  public TensorInfo tensor(String name) {
    return tensors.get(name);
  }

  // by name, so that a damaged .gguf gets GGUF's errors, or by content
  private static boolean isGgufFile(String file) {
    return file.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") || GgufFile.hasMagic(file);
  }

  private static ModelConfig configBeside(String folder) {
    String config = Locations.resolve(folder, CONFIG_FILE);
    return Locations.isFile(config) ? ModelConfig.read(config) : ModelConfig.unknown();
  }

  private static String fileName(String file) {
    return file.substring(file.lastIndexOf('/') + 1);
  }

  /** One weights file, read as its name or first bytes say: PyTorch's, else safetensors. */
  static WeightsFile readWeights(String file) {
    byte[] first = firstBytes(file, 9);
    if (file.endsWith(".bin") || file.endsWith(".pt") || file.endsWith(".pth")) {
      return PyTorchFile.read(file);
    }
    if (PyTorchFile.hasMagic(first)) {
      return PyTorchFile.read(file);
    }
    if (!file.endsWith(".safetensors") && !looksLikeSafetensors(first)) {
      boolean json = first.length > 0 && (first[0] == '{' || first[0] == '[');
      throw CheckpointException.of(
          file,
          "%s: pass the checkpoint's folder, or its .safetensors, .bin or .gguf file",
          json
              ? "a JSON file, not a checkpoint's weights"
              : "not a checkpoint (neither safetensors, a PyTorch zip nor GGUF)");
    }
    return SafetensorsFile.read(file);
  }

  // an 8-byte header length of at most 100 MB, then the header's opening brace
  private static boolean looksLikeSafetensors(byte[] first) {
    if (first.length < 9) {
      return false;
    }
    long length =
        java.nio.ByteBuffer.wrap(first, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    return length > 1 && length <= 100L << 20 && first[8] == '{';
  }

  private static byte[] firstBytes(String file, int n) {
    try (ByteSource source = Locations.open(file)) {
      return source.bytes(0, (int) Math.min(n, source.size()));
    } catch (java.io.IOException e) {
      return new byte[0];
    }
  }

  private static Checkpoint fromSingleFile(
      String location, WeightsFile weights, ModelConfig config) {
    String file = weights.location();
    Map<String, TensorInfo> byName = new TreeMap<>();
    for (TensorInfo t : weights.tensors()) {
      byName.put(t.name(), t);
    }
    return new Checkpoint(
        location,
        config,
        Collections.unmodifiableMap(byName),
        weights.metadata(),
        List.of(file),
        Collections.unmodifiableMap(new TreeMap<>(weights.ties())));
  }

  private static Checkpoint fromIndex(
      String folder,
      String index,
      ModelConfig config,
      java.util.function.Function<String, WeightsFile> reader) {
    Map<String, String> weightMap = readWeightMap(folder, index);
    Map<String, WeightsFile> shards = new LinkedHashMap<>();
    for (String shard : new java.util.TreeSet<>(weightMap.values())) {
      String shardFile = Locations.resolve(folder, shard);
      if (!Locations.isFile(shardFile)) {
        throw CheckpointException.of(index, "shard '%s' named in weight_map does not exist", shard);
      }
      shards.put(shard, reader.apply(shardFile));
    }
    Map<String, TensorInfo> byName = new TreeMap<>();
    Map<String, String> ties = new TreeMap<>();
    for (Map.Entry<String, String> e : weightMap.entrySet()) {
      WeightsFile shard = shards.get(e.getValue());
      if (shard.ties().containsKey(e.getKey())) {
        ties.put(e.getKey(), shard.ties().get(e.getKey()));
        continue;
      }
      TensorInfo tensor =
          shard.tensors().stream()
              .filter(t -> t.name().equals(e.getKey()))
              .findFirst()
              .orElse(null);
      if (tensor == null) {
        throw CheckpointException.of(
            index,
            "tensor '%s' is mapped to shard '%s', whose header does not have it",
            e.getKey(),
            e.getValue());
      }
      byName.put(tensor.name(), tensor);
    }
    List<String> files = new ArrayList<>();
    shards.values().forEach(s -> files.add(s.location()));
    Map<String, String> metadata =
        shards.isEmpty() ? Map.of() : shards.values().iterator().next().metadata();
    return new Checkpoint(
        folder,
        config,
        Collections.unmodifiableMap(byName),
        metadata,
        List.copyOf(files),
        Collections.unmodifiableMap(ties));
  }

  private static Map<String, String> readWeightMap(String folder, String index) {
    JsonNode root;
    try {
      root = JSON.readTree(new String(Locations.readAll(index), StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw CheckpointException.of(
          index, "not valid JSON: %s", e.getOriginalMessage().replace('\n', ' '));
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw CheckpointException.of(index, "no weight_map object");
    }
    if (map.isEmpty()) {
      throw CheckpointException.of(index, "weight_map is empty");
    }
    Map<String, String> weightMap = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = map.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      if (!e.getValue().isTextual()) {
        throw CheckpointException.of(index, "weight_map entry '%s' is not a file name", e.getKey());
      }
      String shard = e.getValue().asText();
      if (!Locations.staysInside(folder, shard)) {
        throw CheckpointException.of(
            index,
            "shard path '%s' for tensor '%s' leaves the checkpoint folder",
            shard,
            e.getKey());
      }
      weightMap.put(e.getKey(), shard);
    }
    return weightMap;
  }
}
