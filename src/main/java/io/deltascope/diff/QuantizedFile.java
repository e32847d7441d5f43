package io.deltascope.diff;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a quantized (GGUF) side of a comparison is made of: its size and bits per weight.
 *
 * @param side "base" or "finetuned"
 * @param file the GGUF file
 * @param fileType the file type its metadata declares ("Q4_K_M"), or null
 * @param fileBytes the file's size
 * @param tensorBytes bytes of tensor data
 * @param params elements over all tensors
 * @param tensorsByType tensor count per stored type ("Q4_0" to 28), by type name
 */
public record QuantizedFile(
    String side,
    String file,
    String fileType,
    long fileBytes,
    long tensorBytes,
    long params,
    Map<String, Integer> tensorsByType) {

  /** The GGUF sides of {@code plan}: none, one or both. */
  public static List<QuantizedFile> of(WeightDiffPlan plan) {
    List<QuantizedFile> out = new ArrayList<>();
    if (plan.base().isGguf()) {
      out.add(of("base", plan.base()));
    }
    if (plan.finetuned().isGguf()) {
      out.add(of("finetuned", plan.finetuned()));
    }
    return List.copyOf(out);
  }

  public static QuantizedFile of(String side, Checkpoint checkpoint) {
    long bytes = 0;
    long params = 0;
    Map<String, Integer> byType = new TreeMap<>();
    for (TensorInfo t : checkpoint.tensors().values()) {
      bytes += t.byteLength();
      params += t.elementCount();
      byType.merge(t.dtype().name(), 1, Integer::sum);
    }
    String file = checkpoint.files().get(0);
    return new QuantizedFile(
        side,
        file,
        checkpoint.config().dtype(),
        Locations.size(file),
        bytes,
        params,
        java.util.Collections.unmodifiableMap(byType));
  }

  /** Bits of tensor data per weight, as llama.cpp reports it ("4.50 BPW"). */
  public double bitsPerWeight() {
    return params == 0 ? 0 : 8.0 * tensorBytes / params;
  }
}
