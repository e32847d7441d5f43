package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightDiffCommandTest {
  @TempDir Path dir;

  private static final String BASE = Fixtures.model("llama-base").toString();
  private static final String SFT = Fixtures.model("llama-sft").toString();

  @BeforeAll
  static void spark() {
    TestSpark.session(); // the commands join the shared session instead of starting their own
  }

  @Test
  void demoComparesTheBundledPairAndPrintsTheTable() {
    CliRun run = CliRun.of("demo");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("Layer    Component         Rel. Diff")
        .containsPattern("1\\s+attn_o\\s+0\\.129438 \\*\\*\\*")
        .containsPattern("-\\s+lm_head\\s+0\\.097190\\n")
        .contains("Top 20 divergent components:\n  Layer 1 attn_o: 0.129438")
        .contains("tensors compared:    39 of 39");
  }

  @Test
  void writesTheJsonReportWithTheDocumentedFields() throws IOException {
    Path out = dir.resolve("out.json");
    CliRun run =
        CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "-o", out.toString(), "--top-n", "3");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Top 3 divergent components:");

    JsonNode json = Fixtures.json(out);
    assertThat(json.get("base").asText()).isEqualTo(BASE);
    assertThat(json.get("tool_version").asText()).isNotBlank();
    assertThat(json.get("structural").fieldNames())
        .toIterable()
        .contains("only_in_base", "only_in_finetuned", "shape_changed", "dtype_changed", "tied");
    assertThat(json.get("tensors")).hasSize(39);
    JsonNode head = find(json.get("tensors"), "lm_head.weight");
    assertThat(head.fieldNames())
        .toIterable()
        .contains(
            "name",
            "layer",
            "component",
            "shape",
            "dtype_base",
            "dtype_finetuned",
            "n_params",
            "norm_base",
            "norm_finetuned",
            "l2_distance",
            "relative_delta",
            "cosine",
            "max_abs_diff",
            "mean_abs_diff",
            "sparsity",
            "zero_fraction",
            "nan_count",
            "inf_count");
    assertThat(head.get("relative_delta").asDouble()).isCloseTo(0.09719049573710863, within(1e-12));
    assertThat(head.get("layer").isNull()).isTrue();
    assertThat(head.get("component").asText()).isEqualTo("lm_head");
    assertThat(json.get("layers").get(0).fieldNames())
        .toIterable()
        .contains("layer", "component", "relative_delta");
    assertThat(json.get("summary").get("tensors_compared").asInt()).isEqualTo(39);
  }

  @Test
  void reportsATiedHeadAsTiedNotMissing() throws IOException {
    Path out = dir.resolve("qwen.json");
    String qwenBase = Fixtures.model("qwen2-base").toString();
    String qwenSft = Fixtures.model("qwen2-sft").toString();
    assertThat(
            CliRun.of("weight-diff", "-b", qwenBase, "-f", qwenSft, "-o", out.toString())
                .exitCode())
        .isZero();
    JsonNode structural = Fixtures.json(out).get("structural");
    assertThat(structural.get("only_in_base")).isEmpty();
    assertThat(structural.get("only_in_finetuned")).isEmpty();
    assertThat(structural.get("tied").get(0).get("name").asText()).isEqualTo("lm_head.weight");
    assertThat(structural.get("tied").get(0).get("tied_to").asText())
        .isEqualTo("model.embed_tokens.weight");
    assertThat(structural.get("tied").get(0).get("side").asText()).isEqualTo("both");
  }

  @Test
  void badTensorTableOptionsAreUsageErrorsBeforeAnyWork() {
    CliRun sort = CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--sort", "speed");
    assertThat(sort.exitCode()).isEqualTo(Main.USAGE);
    assertThat(sort.errorLine())
        .startsWith("deltascope: error: --sort 'speed': no such metric (one of n_params,");
    assertThat(sort.out()).isEmpty();
    CliRun filter = CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--filter", "(");
    assertThat(filter.exitCode()).isEqualTo(Main.USAGE);
    assertThat(filter.errorLine())
        .startsWith("deltascope: error: --filter '(': not a regular expression");
  }

  @Test
  void aMissingCheckpointIsOneLineAndExitCodeOne() {
    Path missing = dir.resolve("no-such-model");
    CliRun run = CliRun.of("weight-diff", "-b", BASE, "-f", missing.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine())
        .isEqualTo("deltascope: error: " + missing + ": no such file or folder");
    assertThat(run.err()).doesNotContain("\tat ");
  }

  @Test
  void verboseAddsTheStackTrace() {
    CliRun run =
        CliRun.of("weight-diff", "-b", BASE, "-f", dir.resolve("x").toString(), "--verbose");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("\tat io.deltascope.checkpoint.Checkpoint.open");
  }

  @Test
  void aBadHeaderNamesTheFile() throws IOException {
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.copy(Path.of(SFT, "config.json"), broken.resolve("config.json"));
    Files.write(broken.resolve("model.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
    CliRun run = CliRun.of("weight-diff", "-b", BASE, "-f", broken.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine())
        .startsWith(
            "deltascope: error: " + broken.resolve("model.safetensors") + ": header length 8");
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(CliRun.of("weight-diff", "-b", BASE).exitCode()).isEqualTo(2);
    assertThat(CliRun.of("no-such-command").exitCode()).isEqualTo(2);
    assertThat(CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--top-n", "many").exitCode())
        .isEqualTo(2);
  }

  @Test
  void aFailedRunLeavesAnEarlierOutputFileAsItWas() throws IOException {
    Path out = Files.writeString(dir.resolve("keep.json"), "{\"earlier\": true}");
    CliRun run =
        CliRun.of(
            "weight-diff", "-b", BASE, "-f", dir.resolve("x").toString(), "-o", out.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(Files.readString(out)).isEqualTo("{\"earlier\": true}");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.json");
    }
  }

  @Test
  void refusesAnOutputInAFolderThatDoesNotExistBeforeComputing() {
    Path out = dir.resolve("missing-folder").resolve("out.json");
    CliRun run = CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "-o", out.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine()).contains("missing-folder does not exist");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void structureOnlyListsTheStructuralChangesWithoutMetrics() throws IOException {
    Path out = dir.resolve("structure.json");
    String resized = Fixtures.model("llama-sft-resized").toString();
    CliRun run =
        CliRun.of(
            "weight-diff", "--structure-only", "-b", BASE, "-f", resized, "-o", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("structure only")
        .contains("added       score.weight")
        .contains("reshaped    lm_head.weight [1024, 128] -> [1032, 128]");
    JsonNode json = Fixtures.json(out);
    assertThat(json.get("tensors")).isEmpty();
    assertThat(json.get("structural").get("only_in_finetuned").get(0).asText())
        .isEqualTo("score.weight");
    assertThat(json.get("structural").get("shape_changed")).hasSize(2);
  }

  @Test
  void resolvesAHuggingFaceModelIdFromTheCacheItIsGiven() {
    // offline, an id that is not cached says so in one line (online it would go to the Hub:
    // remote/HubReadingTest)
    io.deltascope.checkpoint.Environment.set(
        java.util.Map.of("HF_HUB_CACHE", dir.toString(), "HF_HUB_OFFLINE", "1"));
    try {
      CliRun run = CliRun.of("weight-diff", "-b", "acme-not-cached/some-model", "-f", SFT);
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.errorLine())
          .startsWith(
              "deltascope: error: acme-not-cached/some-model@main: not a local path, and not in"
                  + " the HuggingFace cache")
          .endsWith("(HF_HUB_OFFLINE=1)");
    } finally {
      io.deltascope.checkpoint.Environment.set(null);
    }
  }

  static JsonNode find(JsonNode tensors, String name) {
    for (JsonNode t : tensors) {
      if (t.get("name").asText().equals(name)) {
        return t;
      }
    }
    throw new AssertionError("no tensor " + name);
  }
}
