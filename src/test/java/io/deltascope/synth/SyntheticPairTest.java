package io.deltascope.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.SafetensorsWriter.Entry;
import io.deltascope.checkpoint.Shape;
import io.deltascope.diff.TensorComparison;
import io.deltascope.diff.TensorPair;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.tensor.DeltaMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticPairTest {
  /** A Qwen2-like model small enough for a test: 3 layers, biases, tied head, 2 KV heads. */
  static final ModelShape TINY =
      new ModelShape("tiny", "qwen2", 3, 64, 96, 4, 2, 200, true, true, 1e6, 1e-6, 128);

  static final SyntheticPair.Options OPTIONS =
      new SyntheticPair.Options(4, 1e-3, 7, 40_000, 2); // shards of 40 kB: several

  @TempDir static Path dir;
  static Checkpoint base;
  static Checkpoint finetuned;

  @BeforeAll
  static void writePair() throws IOException {
    SyntheticPair.write(TINY, dir.resolve("pair"), OPTIONS);
    base = Checkpoint.open(dir.resolve("pair/base").toString());
    finetuned = Checkpoint.open(dir.resolve("pair/finetuned").toString());
  }

  @Test
  void bothSidesHoldEveryTensorOfTheArchitectureWithItsShape() {
    Map<String, Shape> declared =
        TINY.tensors().stream().collect(Collectors.toMap(Entry::name, Entry::shape));
    for (Checkpoint side : List.of(base, finetuned)) {
      Map<String, Shape> stored = new TreeMap<>();
      side.tensors().forEach((name, t) -> stored.put(name, t.shape()));
      assertThat(stored).isEqualTo(new TreeMap<>(declared));
      assertThat(side.tensors().values()).allMatch(t -> t.dtype().name().equals("BF16"));
    }
    assertThat(base.tensor("model.layers.2.self_attn.k_proj.weight").shape())
        .isEqualTo(Shape.of(32, 64)); // 2 KV heads of 16
    assertThat(base.tensor("model.layers.0.self_attn.q_proj.bias").shape()).isEqualTo(Shape.of(64));
    assertThat(base.tensors()).doesNotContainKey("lm_head.weight"); // tied
  }

  @Test
  void theCheckpointIsShardedWithAnIndexAndAConfigThatDescribesIt() {
    assertThat(base.files()).hasSizeGreaterThan(2);
    assertThat(dir.resolve("pair/base/model.safetensors.index.json")).exists();
    assertThat(base.config().modelType()).isEqualTo("qwen2");
    assertThat(base.config().numLayers()).isEqualTo(3);
    assertThat(base.config().hiddenSize()).isEqualTo(64);
    assertThat(base.config().vocabSize()).isEqualTo(200);
    assertThat(base.config().tieWordEmbeddings()).isTrue();
    assertThat(base.config().dtype()).isEqualTo("bfloat16");
  }

  @Test
  void weightDiffPlansAComparisonForEveryTensorAndFindsNoStructuralChange() {
    WeightDiffPlan plan = WeightDiffPlan.of(base, finetuned);

    assertThat(plan.pairs()).extracting(TensorPair::name).containsExactlyElementsOf(base.names());
    assertThat(plan.structural().onlyInBase()).isEmpty();
    assertThat(plan.structural().onlyInFinetuned()).isEmpty();
    assertThat(plan.structural().shapeChanged()).isEmpty();
    assertThat(plan.structural().dtypeChanged()).isEmpty();
  }

  @Test
  void projectionsChangeMoreInLaterLayersAndNormsChangeByAboutOnePercent() {
    double first = relativeDelta("model.layers.0.mlp.down_proj.weight");
    double last = relativeDelta("model.layers.2.mlp.down_proj.weight");
    double embed = relativeDelta("model.embed_tokens.weight");
    double norm = relativeDelta("model.layers.1.input_layernorm.weight");

    // weights have std 0.02, the noise 1e-3: 5 % alone; updates of 1e-3 .. 4e-3 on top
    assertThat(embed).isCloseTo(0.05, within(0.01));
    assertThat(first).isCloseTo(Math.hypot(0.05, 0.05), within(0.02));
    assertThat(last).isCloseTo(Math.hypot(0.05, 0.2), within(0.04));
    assertThat(norm).isCloseTo(0.01, within(0.004));
  }

  @Test
  void theSameSeedWritesTheSameBytesWhateverTheNumberOfThreads() throws IOException {
    SyntheticPair.write(
        TINY, dir.resolve("again"), new SyntheticPair.Options(4, 1e-3, 7, 40_000, 1));
    SyntheticPair.write(
        TINY, dir.resolve("other-seed"), new SyntheticPair.Options(4, 1e-3, 8, 40_000, 2));
    for (String side : List.of("base", "finetuned")) {
      assertThat(contents(dir.resolve("again").resolve(side)))
          .isEqualTo(contents(dir.resolve("pair").resolve(side)));
    }
    assertThat(contents(dir.resolve("other-seed/base")))
        .isNotEqualTo(contents(dir.resolve("pair/base")));
  }

  /** Every file of a folder, by name, as its bytes in a list (comparable by equals). */
  private static Map<String, List<Byte>> contents(Path folder) throws IOException {
    Map<String, List<Byte>> out = new TreeMap<>();
    try (var files = Files.list(folder)) {
      for (Path f : files.toList()) {
        byte[] bytes = Files.readAllBytes(f);
        List<Byte> boxed = new java.util.ArrayList<>(bytes.length);
        for (byte b : bytes) {
          boxed.add(b);
        }
        out.put(f.getFileName().toString(), boxed);
      }
    }
    return out;
  }

  @Test
  void presetsHaveTheRealModelsSizes() {
    // bf16 bytes of the published checkpoints: TinyLlama 2.20 GB, Qwen2.5-0.5B 0.99 GB,
    // Llama-2-7B 13.48 GB
    assertThat(ModelShape.TINYLLAMA_1_1B.totalBytes()).isEqualTo(2_200_096_768L);
    assertThat(ModelShape.QWEN2_5_0_5B.totalBytes()).isEqualTo(988_065_536L);
    assertThat(ModelShape.LLAMA_2_7B.totalBytes()).isEqualTo(13_476_831_232L);
  }

  private static double relativeDelta(String name) {
    TensorPair pair =
        WeightDiffPlan.of(base, finetuned).pairs().stream()
            .filter(p -> p.name().equals(name))
            .findFirst()
            .orElseThrow();
    Map<String, io.deltascope.checkpoint.ByteSource> open = new TreeMap<>();
    try {
      DeltaMetrics m =
          new TensorComparison().compare(pair, f -> open.computeIfAbsent(f, Locations::open));
      return m.relativeDelta();
    } finally {
      open.values().forEach(SyntheticPairTest::close);
    }
  }

  private static void close(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
