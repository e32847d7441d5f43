package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
  private static final ObjectMapper MAPPER = new ObjectMapper();

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

  // Each config below was loaded over llama-base by PEFT 0.21.0 itself
  // (PeftModel.from_pretrained on this fixture, transformers 5.18, torch 2.13): r 0 raises "`r`
  // should be a positive integer value"; r 1000000 and rank_pattern {q_proj: 2} raise "size
  // mismatch for ...q_proj.lora_A.default.weight"; target_modules [nonexistent_proj] raises
  // "Target modules {'nonexistent_proj'} not found in the base model"; target_modules [q_proj]
  // and layers_to_transform [0, 1] and exclude_modules [v_proj] load but silently drop the other
  // factors (v_proj, layers 2 and 3), so PEFT's model is not the adapter's numbers; [q_proj,
  // v_proj, k_proj] loads with "Found missing adapter keys" (k_proj's factors); target_modules
  // 'nothing' (a regex) raises "Target modules nothing not found in the base model".
  @Test
  void aConfigThatContradictsItsFactorsIsOneLineNamingTheConfig() throws IOException {
    assertContradiction("r", "0", "r is 0: a LoRA rank must be a positive integer");
    assertContradiction(
        "r",
        "1000000",
        "r is 1000000, but the factors of 'model.layers.0.self_attn.q_proj' in %s are of rank 4");
    assertContradiction(
        "rank_pattern",
        "{\"q_proj\": 2}",
        "rank_pattern['q_proj'] is 2, but the factors of 'model.layers.0.self_attn.q_proj' in %s"
            + " are of rank 4");
    assertContradiction(
        "target_modules",
        "[\"nonexistent_proj\"]",
        "target_modules [nonexistent_proj] does not name 'model.layers.0.self_attn.q_proj', which"
            + " has LoRA factors in %s: PEFT would not apply them");
    assertContradiction(
        "target_modules",
        "[\"q_proj\"]",
        "target_modules [q_proj] does not name 'model.layers.0.self_attn.v_proj', which has LoRA"
            + " factors in %s: PEFT would not apply them");
    assertContradiction(
        "layers_to_transform",
        "[0, 1]",
        "target_modules [q_proj, v_proj] in layers [0, 1] does not name"
            + " 'model.layers.2.self_attn.q_proj', which has LoRA factors in %s: PEFT would not"
            + " apply them");
    assertContradiction(
        "target_modules",
        "[\"q_proj\", \"v_proj\", \"k_proj\"]",
        "target_modules [q_proj, v_proj, k_proj] names 'model.layers.0.self_attn.k_proj' of the"
            + " base, which has no LoRA factors in %s");
    assertContradiction(
        "exclude_modules",
        "[\"v_proj\"]",
        "target_modules [q_proj, v_proj] less exclude_modules [v_proj] does not name"
            + " 'model.layers.0.self_attn.v_proj', which has LoRA factors in %s: PEFT would not"
            + " apply them");
    assertContradiction(
        "target_modules",
        "\"nothing\"",
        "target_modules 'nothing' does not name 'model.layers.0.self_attn.q_proj', which has LoRA"
            + " factors in %s: PEFT would not apply them");
  }

  // PEFT 0.21.0 loads each of these over llama-base with the fixture's numbers (alpha_pattern
  // doubles v_proj's update)
  @Test
  void peftsPatternsAndRegexTargetsAreReadAsPeftReadsThem() throws IOException {
    for (String[] agreeing :
        new String[][] {
          {"rank_pattern", "{\"q_proj\": 4}"},
          {"target_modules", "\".*\\\\.(q|v)_proj\""},
          {"target_modules", "[\"q_proj\", \"v_proj\", \"nonexistent_proj\"]"},
          {"layers_to_transform", "[0, 1, 2, 3]"},
        }) {
      Checkpoint tuned = open(withConfig(agreeing[0], agreeing[1]));
      assertThat(tuned.tensors().values().stream().filter(t -> t.update() != null))
          .as(agreeing[0] + " " + agreeing[1])
          .hasSize(8);
    }
    Checkpoint alpha = open(withConfig("alpha_pattern", "{\"v_proj\": 16}"));
    assertThat(alpha.tensor("model.layers.2.self_attn.v_proj.weight").update().scale())
        .isEqualTo(4.0); // 16 / 4
    assertThat(alpha.tensor("model.layers.2.self_attn.q_proj.weight").update().scale())
        .isEqualTo(2.0); // lora_alpha 8 / 4
  }

  @Test
  void anAdapterAppliedTensorIsStoredInItsBasesTypeNotTheFloat64ItIsDecodedTo() {
    Checkpoint base = Checkpoint.open(BASE);
    Checkpoint tuned = Checkpoint.open(PeftAdapter.over(ADAPTER.toString(), BASE));
    TensorInfo q = tuned.tensor("model.layers.0.self_attn.q_proj.weight");
    assertThat(q.storedType()).isEqualTo(DType.BF16);
    assertThat(q.update().a().dtype()).isEqualTo(DType.F32);
    assertThat(WeightDiffPlan.of(base, tuned).structural().dtypeChanged()).isEmpty();
  }

  private void assertContradiction(String key, String json, String message) throws IOException {
    Path adapter = withConfig(key, json);
    String weights = adapter.resolve("adapter_model.safetensors").toString();
    assertThatThrownBy(() -> open(adapter))
        .as(key + " " + json)
        .isInstanceOf(CheckpointException.class)
        .hasMessage(adapter.resolve("adapter_config.json") + ": " + message.replace("%s", weights));
  }

  private static Checkpoint open(Path adapter) {
    return Checkpoint.open(PeftAdapter.over(adapter.toString(), BASE));
  }

  /** A copy of the fixture adapter whose config sets {@code key} to the JSON {@code value}. */
  private Path withConfig(String key, String value) throws IOException {
    Path folder = copy("\"peft_type\"", "\"peft_type\"");
    Path config = folder.resolve("adapter_config.json");
    ObjectNode json = (ObjectNode) MAPPER.readTree(config.toFile());
    json.set(key, MAPPER.readTree(value));
    MAPPER.writeValue(config.toFile(), json);
    return folder;
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
