package io.deltascope.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.deltascope.Fixtures;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.PeftAdapter;
import io.deltascope.checkpoint.SafetensorsWriter;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forward pass through an unmerged adapter equals the forward pass through the same adapter
 * merged to disk (here by the test, from the stored factors: base + 2 * B A in float64).
 */
class AdapterForwardTest {
  static final String BASE = Fixtures.model("llama-base").toString();
  static final String ADAPTER = Fixtures.model("llama-lora-adapter").toString();

  @TempDir Path dir;

  @Test
  void activationCosinesThroughTheAdapterEqualThoseThroughTheMergedCheckpoint() throws IOException {
    String adapted = PeftAdapter.over(ADAPTER, BASE);
    Path merged = merge(dir.resolve("merged"));
    List<PromptCosines> viaAdapter = cosines(adapted);
    List<PromptCosines> viaMerged = cosines(merged.toString());
    assertThat(viaAdapter).hasSameSizeAs(viaMerged);
    for (int i = 0; i < viaAdapter.size(); i++) {
      double[] a = viaAdapter.get(i).lastToken();
      double[] m = viaMerged.get(i).lastToken();
      for (int l = 0; l < a.length; l++) {
        assertThat(a[l]).as("prompt %d layer %d", i, l).isCloseTo(m[l], within(1e-9));
      }
      assertThat(a[a.length - 1]).isLessThan(1.0 - 1e-6); // the adapter changed something
    }
  }

  private static List<PromptCosines> cosines(String tuned) {
    List<PromptPair> prompts = new ArrayList<>();
    try (PromptTokenizer ta = PromptTokenizer.open(BASE);
        PromptTokenizer tb = PromptTokenizer.open(tuned)) {
      List<String> texts = Oracle.prompts();
      for (int i = 0; i < texts.size(); i++) {
        prompts.add(
            new PromptPair(i, texts.get(i), ta.encode(texts.get(i)), tb.encode(texts.get(i))));
      }
    }
    try (DecoderModel base = DecoderModel.open(BASE);
        DecoderModel model = DecoderModel.open(tuned)) {
      return ActivationDiff.run(base, model, prompts);
    }
  }

  /** llama-base with q_proj and v_proj replaced by base + 2 * B A (float64), computed here. */
  private static Path merge(Path folder) throws IOException {
    Files.createDirectories(folder);
    for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
      Files.copy(Path.of(BASE, f), folder.resolve(f));
    }
    Checkpoint base = Checkpoint.open(BASE);
    Checkpoint factors = Checkpoint.open(ADAPTER + "/adapter_model.safetensors");
    List<SafetensorsWriter.Entry> entries = new ArrayList<>();
    List<ByteBuffer> data = new ArrayList<>();
    for (TensorInfo t : base.tensors().values()) {
      String module = "base_model.model." + t.name().replace(".weight", "");
      TensorInfo a = factors.tensor(module + ".lora_A.weight");
      double[] values = TensorReader.values(t);
      if (a == null) {
        entries.add(new SafetensorsWriter.Entry(t.name(), t.dtype(), t.shape()));
        data.add(raw(t));
        continue;
      }
      double[] av = TensorReader.values(a);
      double[] bv = TensorReader.values(factors.tensor(module + ".lora_B.weight"));
      int r = (int) a.shape().dim(0);
      int cols = (int) t.shape().dim(1);
      for (int i = 0; i < values.length; i++) {
        int row = i / cols;
        int col = i % cols;
        double sum = 0;
        for (int k = 0; k < r; k++) {
          sum += bv[row * r + k] * av[k * cols + col];
        }
        values[i] += 2.0 * sum;
      }
      ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asDoubleBuffer().put(values);
      entries.add(new SafetensorsWriter.Entry(t.name(), DType.F64, t.shape()));
      data.add(bytes);
    }
    try (SafetensorsWriter w =
        SafetensorsWriter.create(folder.resolve("model.safetensors"), entries, Map.of())) {
      for (ByteBuffer b : data) {
        w.write(b);
      }
    }
    return folder;
  }

  private static ByteBuffer raw(TensorInfo t) {
    try (ByteSource source = Locations.open(t.file())) {
      ByteBuffer mapped = source.read(t.offset(), (int) t.byteLength());
      ByteBuffer copy = ByteBuffer.allocate((int) t.byteLength());
      copy.put(mapped);
      copy.flip();
      source.release(mapped);
      return copy;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
