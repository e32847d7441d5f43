package io.deltascope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The real checkpoints and oracle numbers copied from shared/fixtures into
 * src/test/resources/fixtures (see its README): HuggingFace models and what HuggingFace's own code
 * computed from them.
 */
public final class Fixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  public static Path root() {
    try {
      return Path.of(Fixtures.class.getResource("/fixtures/README.md").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A model folder: "llama-base", "qwen2-sft", ... */
  public static Path model(String name) {
    return root().resolve("models").resolve(name);
  }

  /**
   * The location of fine-tuned model {@code b} compared with {@code a}: its folder, or for an
   * unmerged adapter the adapter applied to {@code a} (what {@code -b A -f ADAPTER} opens).
   */
  public static String finetuned(String a, String b) {
    String folder = model(b).toString();
    return io.deltascope.checkpoint.PeftAdapter.isAdapter(folder)
        ? io.deltascope.checkpoint.PeftAdapter.over(folder, model(a).toString())
        : folder;
  }

  /** The oracle for comparing {@code a} (base) with {@code b}: expected/a__b.json. */
  public static JsonNode pairOracle(String a, String b) {
    return json(root().resolve("expected").resolve(a + "__" + b + ".json"));
  }

  /** Any file under the fixtures root, parsed as JSON. */
  public static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
