package io.deltascope.checkpoint.gguf;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.ModelConfig;
import io.deltascope.checkpoint.RowOrder;
import io.deltascope.checkpoint.TensorInfo;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A GGUF file as a {@link Checkpoint} like any other: tensors under their HuggingFace names with
 * HuggingFace shapes (outermost first), Llama's attn_q / attn_k read back in HuggingFace row order,
 * and the config from the file's hyperparameters.
 */
public final class GgufCheckpoint {
  private GgufCheckpoint() {}

  /** Metadata key (outside GGUF's lower-case namespace) that marks a checkpoint read from GGUF. */
  public static final String VERSION_KEY = "GGUF.version";

  /** Architectures whose converter permutes attn_q / attn_k rows for llama.cpp's rotary layout. */
  private static final List<String> PERMUTED = List.of("llama");

  public static Checkpoint open(String location) {
    return of(location, GgufFile.read(location));
  }

  static Checkpoint of(String location, GgufFile file) {
    Map<String, TensorInfo> byName = new TreeMap<>();
    for (GgufTensor t : file.tensors()) {
      String name = LlamaNames.toHf(t.name());
      RowOrder order = rowOrder(file, t);
      TensorInfo info =
          new TensorInfo(
              name, t.type(), t.shape(), file.location(), t.offset(), t.byteLength(), order);
      if (byName.put(name, info) != null) {
        throw CheckpointException.of(
            file.location(), "tensor '%s': a second tensor has the name '%s'", t.name(), name);
      }
    }
    TensorInfo embedding = byName.get("model.embed_tokens.weight");
    boolean tied = !byName.containsKey("lm_head.weight") && embedding != null;
    long embeddingRows =
        embedding == null || embedding.shape().rank() == 0 ? 0 : embedding.shape().dim(0);
    ModelConfig config = GgufConfig.of(file, tied, embeddingRows);
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put(VERSION_KEY, Integer.toString(file.version()));
    file.metadata().forEach((k, v) -> metadata.put(k, v.display()));
    return new Checkpoint(
        location,
        config,
        Collections.unmodifiableMap(byName),
        Collections.unmodifiableMap(metadata),
        List.of(file.location()));
  }

  /** Whether {@code checkpoint} was read from a GGUF file. */
  public static boolean isGguf(Checkpoint checkpoint) {
    return checkpoint.metadata().containsKey(VERSION_KEY);
  }

  /** llama.cpp's rotary row order for a Llama attn_q / attn_k, or null for other tensors. */
  private static RowOrder rowOrder(GgufFile file, GgufTensor t) {
    String arch = file.architecture();
    boolean query = LlamaNames.isQuery(t.name());
    if (!PERMUTED.contains(arch) || !(query || LlamaNames.isKey(t.name()))) {
      return null;
    }
    String headsKey = arch + (query ? ".attention.head_count" : ".attention.head_count_kv");
    GgufValue heads = file.get(headsKey);
    if (heads == null && !query) {
      heads = file.get(arch + ".attention.head_count");
    }
    if (heads == null || heads.asLong() == null || heads.asLong() <= 0) {
      throw CheckpointException.of(
          file.location(),
          "tensor '%s': needs %s (a positive integer) to restore HuggingFace row order",
          t.name(),
          headsKey);
    }
    RotaryRowOrder order = new RotaryRowOrder(Math.toIntExact(heads.asLong()));
    long rows = t.shape().rank() == 0 ? 1 : t.shape().dim(0);
    if (!order.fits(rows)) {
      throw CheckpointException.of(
          file.location(),
          "tensor '%s': %d rows do not split into %d heads of an even number of rows",
          t.name(),
          rows,
          order.heads());
    }
    return order;
  }
}
