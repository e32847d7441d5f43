package io.deltascope.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.SafetensorsFile;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** What HuggingFace computed for the fixtures: traces, residuals, prompts. */
final class Oracle {
  /** Every fixture model with a trace and residuals. */
  static final List<String> MODELS =
      List.of(
          "llama-base",
          "llama-sft",
          "llama-lora-merged",
          "llama-sft-resized",
          "qwen2-base",
          "qwen2-sft",
          "gemma3-base",
          "gemma3-sft",
          "gpt2-base",
          "gpt2-sft");

  private Oracle() {}

  static List<String> prompts() {
    List<String> out = new ArrayList<>();
    for (JsonNode p :
        Fixtures.json(Fixtures.root().resolve("expected/index.json")).get("prompts")) {
      out.add(p.asText());
    }
    return out;
  }

  static JsonNode trace(String model) {
    return Fixtures.json(Fixtures.root().resolve("expected/" + model + ".trace.json"));
  }

  static long[] ids(JsonNode node) {
    long[] ids = new long[node.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = node.get(i).asLong();
    }
    return ids;
  }

  /** {@code prompt{i}.residual} [layers + 1, T, hidden] or {@code prompt{i}.logits_last}. */
  static double[] tensor(String model, String name) {
    String file =
        Fixtures.root().resolve("expected/residuals/" + model + ".safetensors").toString();
    SafetensorsFile sf = SafetensorsFile.read(file);
    TensorInfo t =
        sf.tensors().stream()
            .filter(x -> x.name().equals(name))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(file + " has no " + name));
    double[] out = new double[(int) t.elementCount()];
    try (ByteSource src = Locations.open(file)) {
      new TensorReader(src, t, t.elementCount()).read(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
