package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.Fixtures;
import io.deltascope.diff.DeltaSpectra;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.TensorPair;
import io.deltascope.diff.WeightDiffPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unmerged LoRA adapter as a checkpoint: base + scale * B A, refused when it cannot be. */
class PeftAdapterTest {
  static final Path ADAPTER = Fixtures.model("llama-lora-adapter");
  static final String BASE = Fixtures.model("llama-base").toString();

  @TempDir Path dir;

  @Test
  void theAdapterOverItsBaseReplacesOnlyTheTargetWeights() {
    Checkpoint base = Checkpoint.open(BASE);
    Checkpoint tuned = Checkpoint.open(PeftAdapter.over(ADAPTER.toString(), BASE));
    assertThat(tuned.names()).isEqualTo(base.names());
    assertThat(tuned.config()).isEqualTo(base.config());
    TensorInfo q = tuned.tensor("model.layers.0.self_attn.q_proj.weight");
    assertThat(q.dtype()).isEqualTo(DType.F64);
    assertThat(q.update().rank()).isEqualTo(4);
    assertThat(q.update().scale()).isEqualTo(2.0); // lora_alpha 8 / r 4
    assertThat(q.update().base()).isEqualTo(base.tensor(q.name()));
    assertThat(tuned.tensor("model.layers.0.self_attn.k_proj.weight"))
        .isEqualTo(base.tensor("model.layers.0.self_attn.k_proj.weight"));
    assertThat(tuned.tensors().values().stream().filter(t -> t.update() != null)).hasSize(8);
  }

  @Test
  void everyTargetDeltaTakesItsSpectrumFromTheFactorsEvenWhenLarge() {
    WeightDiffPlan plan =
        WeightDiffPlan.of(
            Checkpoint.open(BASE), Checkpoint.open(PeftAdapter.over(ADAPTER.toString(), BASE)));
    SpectrumSettings distributeEverything =
        new SpectrumSettings(true, SpectrumSettings.DEFAULT.topK(), 0);
    for (TensorPair pair : plan.pairs()) {
      boolean target = pair.finetuned().update() != null;
      assertThat(DeltaSpectra.isLowRank(pair)).as(pair.name()).isEqualTo(target);
      if (target) {
        assertThat(distributeEverything.pathFor(pair)).isEqualTo(SpectrumSettings.Path.LOCAL);
      }
    }
  }

  @Test
  void withoutABaseTheConfigsBaseModelIsLookedUpAndItsAbsenceSaysToPassMinusB() {
    assertThatThrownBy(() -> Checkpoint.open(ADAPTER.toString()))
        .isInstanceOf(CheckpointException.class)
        .hasMessage(
            ADAPTER
                + ": a LoRA adapter whose base_model_name_or_path 'deltascope-fixtures/llama-base'"
                + " is neither a local path nor in the HuggingFace cache: pass its base with -b"
                + " BASE");
  }

  @Test
  void aBaseWithOtherNamesOrShapesIsRefusedNamingTheTensor() throws IOException {
    String gpt2 = Fixtures.model("gpt2-base").toString();
    assertThatThrownBy(() -> Checkpoint.open(PeftAdapter.over(ADAPTER.toString(), gpt2)))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(ADAPTER.resolve("adapter_model.safetensors") + ": '")
        .hasMessageContaining("does not fit its base " + gpt2 + ": it has no tensor 'model.");
    // read as [in, out], v_proj's factors fit a [128, 64] weight, not llama's [64, 128]
    Path transposed = copy("\"fan_in_fan_out\": false", "\"fan_in_fan_out\": true");
    assertThatThrownBy(() -> Checkpoint.open(PeftAdapter.over(transposed.toString(), BASE)))
        .isInstanceOf(CheckpointException.class)
        .hasMessage(
            transposed.resolve("adapter_model.safetensors")
                + ": 'base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight' (B [64, 4]"
                + " A [4, 128]) does not fit its base "
                + BASE
                + ": 'model.layers.0.self_attn.v_proj.weight' is [64, 128]");
  }

  @Test
  void doraAndOtherPeftTypesAreRefusedWithOneLine() throws IOException {
    Path dora = copy("\"use_rslora\": false", "\"use_rslora\": false, \"use_dora\": true");
    assertThatThrownBy(() -> Checkpoint.open(PeftAdapter.over(dora.toString(), BASE)))
        .hasMessage(
            dora.resolve("adapter_config.json")
                + ": a DoRA adapter (use_dora): not supported, deltascope reads plain LoRA"
                + " adapters");
    Path ia3 = copy("\"peft_type\": \"LORA\"", "\"peft_type\": \"IA3\"");
    assertThatThrownBy(() -> Checkpoint.open(PeftAdapter.over(ia3.toString(), BASE)))
        .hasMessage(
            ia3.resolve("adapter_config.json")
                + ": PEFT type 'IA3' is not supported: deltascope reads LoRA adapters");
  }

  @Test
  void rsLoraScalesByAlphaOverTheSquareRootOfTheRank() throws IOException {
    Path rs = copy("\"use_rslora\": false", "\"use_rslora\": true");
    Checkpoint tuned = Checkpoint.open(PeftAdapter.over(rs.toString(), BASE));
    assertThat(tuned.tensor("model.layers.1.self_attn.v_proj.weight").update().scale())
        .isEqualTo(4.0); // 8 / sqrt(4)
  }

  private Path copy(String from, String to) throws IOException {
    Path folder = Files.createDirectories(dir.resolve("adapter" + System.nanoTime()));
    try (Stream<Path> files = Files.list(ADAPTER)) {
      for (Path f : files.toList()) {
        Files.copy(f, folder.resolve(f.getFileName()));
      }
    }
    Path config = folder.resolve("adapter_config.json");
    String text = Files.readString(config);
    assertThat(text).contains(from);
    Files.writeString(config, text.replace(from, to));
    return folder;
  }
}
