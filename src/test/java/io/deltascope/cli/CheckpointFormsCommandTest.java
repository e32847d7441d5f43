package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.pytorch.TorchSaveWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * weight-diff on checkpoints as people name them: an adapter folder, a pytorch_model.bin folder.
 */
class CheckpointFormsCommandTest {
  private static final String BASE = Fixtures.model("llama-base").toString();

  @TempDir Path dir;

  @BeforeAll
  static void spark() {
    TestSpark.session();
  }

  @Test
  void anAdapterFolderIsAppliedToMinusBAndMatchesTheOracle() {
    Path out = dir.resolve("out.json");
    String adapter = Fixtures.model("llama-lora-adapter").toString();
    CliRun run = CliRun.of("weight-diff", "-b", BASE, "-f", adapter, "-o", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertMatchesOracle(
        Fixtures.json(out), Fixtures.pairOracle("llama-base", "llama-lora-adapter"));
  }

  @Test
  void theUnmergedAdapterIsCalledWhatItIsAndTheFloat64MergeIsNoStoredType() {
    Path out = dir.resolve("words.json");
    String adapter = Fixtures.model("llama-lora-adapter").toString();
    CliRun run = CliRun.of("weight-diff", "-b", BASE, "-f", adapter, "-o", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = Fixtures.json(out);
    assertThat(json.at("/diagnosis/summary").asText())
        .startsWith(
            "An unmerged LoRA adapter (F32 factors) applied over its base: a rank-4 LoRA-like"
                + " update on attn_q and attn_v of every layer")
        .doesNotContain("merged LoRA adapter:");
    assertThat(json.at("/diagnosis/findings").findValuesAsText("category"))
        .contains("lora")
        .doesNotContain("dtype");
    assertThat(json.at("/structural/dtype_changed")).isEmpty();
    for (JsonNode t : json.get("tensors")) {
      assertThat(t.get("dtype_finetuned").asText()).as(t.get("name").asText()).isEqualTo("BF16");
    }
  }

  @Test
  void anAdapterWhoseConfigContradictsItsFactorsExits1WithOneLine() throws IOException {
    Path adapter = Files.createDirectories(dir.resolve("r-contradicts"));
    Path fixture = Fixtures.model("llama-lora-adapter");
    Files.copy(
        fixture.resolve("adapter_model.safetensors"), adapter.resolve("adapter_model.safetensors"));
    String config = Files.readString(fixture.resolve("adapter_config.json"));
    assertThat(config).contains("\"r\": 4,");
    Files.writeString(
        adapter.resolve("adapter_config.json"), config.replace("\"r\": 4,", "\"r\": 1000000,"));
    Path out = dir.resolve("refused.json");
    CliRun run =
        CliRun.of("weight-diff", "-b", BASE, "-f", adapter.toString(), "-o", out.toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    // the line, and the hint to run with --verbose: no stack trace
    assertThat(run.err().lines().count()).as(run.err()).isLessThanOrEqualTo(2);
    assertThat(run.errorLine())
        .contains(adapter.resolve("adapter_config.json").toString())
        .contains("r is 1000000, but the factors of 'model.layers.0.self_attn.q_proj'");
    assertThat(out).doesNotExist();
  }

  @Test
  void aPytorchBinFolderMatchesTheSafetensorsOracle() {
    Path out = dir.resolve("out.json");
    String bin = Fixtures.root().resolve("pytorch").resolve("llama-sft-bin").toString();
    CliRun run = CliRun.of("weight-diff", "-b", BASE, "-f", bin, "-o", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertMatchesOracle(Fixtures.json(out), Fixtures.pairOracle("llama-base", "llama-sft"));
  }

  @Test
  void activationDiffAndCompareRunAnAdapterFolderOverTheBase() {
    String adapter = Fixtures.model("llama-lora-adapter").toString();
    Path out = dir.resolve("activation.json");
    CliRun run =
        CliRun.of(
            "activation-diff",
            "-b",
            BASE,
            "-f",
            adapter,
            "-p",
            "The answer is",
            "-o",
            out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode cosines = Fixtures.json(out).get("prompts").get(0).get("cosine_last_token");
    assertThat(cosines.get(0).asDouble()).isCloseTo(1.0, within(1e-9));
    assertThat(cosines.get(4).asDouble()).isLessThan(0.99999);
    CliRun compare = CliRun.of("compare", "-m1", BASE, "-m2", adapter, "-p", "The answer is");
    assertThat(compare.exitCode()).as(compare.err()).isZero();
  }

  @Test
  void tiedPytorchBinsReportTheTieAndCountTheEmbeddingOnceAsSafetensorsDo() throws IOException {
    Path base = tiedBin("qwen2-base");
    Path sft = tiedBin("qwen2-sft");
    JsonNode bins = weightDiff(base, sft, "bins.json");
    JsonNode safetensors =
        weightDiff(Fixtures.model("qwen2-base"), Fixtures.model("qwen2-sft"), "st.json");
    JsonNode mixed = weightDiff(Fixtures.model("qwen2-base"), sft, "mixed.json");
    JsonNode oracle = Fixtures.pairOracle("qwen2-base", "qwen2-sft");
    double oracleTotal = 0;
    for (JsonNode t : oracle.get("tensors")) {
      oracleTotal += Math.pow(t.get("l2_distance").asDouble(), 2);
    }
    for (JsonNode json : new JsonNode[] {bins, mixed}) {
      // before, the bins compared lm_head.weight too: 51 tensors, total L2 5.305 (4.731 here)
      assertMatchesOracle(json, oracle);
      assertThat(json.get("structural").get("tied"))
          .isEqualTo(safetensors.get("structural").get("tied"));
      JsonNode summary = json.get("summary");
      assertThat(summary.get("tensors_compared"))
          .isEqualTo(safetensors.get("summary").get("tensors_compared"));
      assertThat(summary.get("params_compared"))
          .isEqualTo(safetensors.get("summary").get("params_compared"));
      double total = summary.get("total_l2_distance").asDouble();
      assertThat(total)
          .isCloseTo(safetensors.get("summary").get("total_l2_distance").asDouble(), within(1e-12))
          .isCloseTo(Math.sqrt(oracleTotal), within(1e-9));
    }
    JsonNode tie = bins.get("structural").get("tied").get(0);
    assertThat(tie.get("name").asText()).isEqualTo("lm_head.weight");
    assertThat(tie.get("tied_to").asText()).isEqualTo("model.embed_tokens.weight");
    assertThat(tie.get("side").asText()).isEqualTo("both");
  }

  @Test
  void aHostilePickleIsOneLineNamingTheFileAtOnce() throws IOException {
    // a key of shared references 60 deep hung the tool; a list inside itself overflowed the stack
    for (byte[] pickle :
        List.of(TorchSaveWriter.nestedTupleKey(60), TorchSaveWriter.selfContainingListKey())) {
      Path folder = Files.createDirectories(dir.resolve("hostile" + pickle.length));
      Path bin = folder.resolve("pytorch_model.bin");
      TorchSaveWriter.writeZip(bin, pickle, Map.of());
      CliRun run =
          assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () -> CliRun.of("weight-diff", "-b", folder.toString(), "-f", BASE));
      assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
      assertThat(run.err().lines().toList())
          .as("the error and the hint about --verbose")
          .hasSize(2)
          .last()
          .isEqualTo("(run with --verbose for the stack trace)");
      assertThat(run.errorLine())
          .startsWith("deltascope: error: " + bin + ": ")
          .hasSizeLessThan(300);
    }
  }

  private Path tiedBin(String model) throws IOException {
    Path source = Fixtures.model(model);
    return TorchSaveWriter.writeFolder(
        Checkpoint.open(source.toString()),
        source,
        Map.of("lm_head.weight", "model.embed_tokens.weight"),
        dir.resolve(model + "-bin"));
  }

  private JsonNode weightDiff(Path base, Path finetuned, String name) {
    Path out = dir.resolve(name);
    CliRun run =
        CliRun.of(
            "weight-diff", "-b", base.toString(), "-f", finetuned.toString(), "-o", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    return Fixtures.json(out);
  }

  private static void assertMatchesOracle(JsonNode json, JsonNode oracle) {
    assertThat(json.get("tensors")).hasSize(oracle.get("tensors").size());
    for (JsonNode t : json.get("tensors")) {
      String name = t.get("name").asText();
      JsonNode e = oracle.get("tensors").get(name);
      double l2 = e.get("l2_distance").asDouble();
      assertThat(t.get("l2_distance").asDouble()).as(name).isCloseTo(l2, within(1e-9 * l2 + 1e-15));
      assertThat(t.get("cosine").asDouble())
          .as(name)
          .isCloseTo(e.get("cosine").asDouble(), within(1e-9));
    }
  }
}
