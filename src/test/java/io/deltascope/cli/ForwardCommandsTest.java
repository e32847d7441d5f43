package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.Tables;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** activation-diff and compare from the command line to JSON, Parquet and the terminal. */
class ForwardCommandsTest {
  // the oracle's prompts 0, 2 and 3 (prompt 1 has a newline, which -p cannot carry)
  private static final int[] PROMPTS = {0, 2, 3};

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  @BeforeAll
  static void spark() {
    TestSpark.session();
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static String model(String name) {
    return Fixtures.model(name).toString();
  }

  @Test
  void activationDiffReportsTheOraclesCosinesInJsonParquetAndTheTerminal() throws IOException {
    JsonNode oracle = Fixtures.pairOracle("llama-base", "llama-sft").get("activation");
    JsonNode index = Fixtures.json(Fixtures.root().resolve("expected/index.json"));
    Path prompts = dir.resolve("prompts.txt");
    StringBuilder lines = new StringBuilder();
    for (int i : PROMPTS) {
      lines.append(index.get("prompts").get(i).asText()).append("\n\n");
    }
    Files.writeString(prompts, lines);
    Path json = dir.resolve("out.json");
    Path store = dir.resolve("results");

    Run r =
        run(
            "activation-diff",
            "-b",
            model("llama-base"),
            "-f",
            model("llama-sft"),
            "-p",
            "@" + prompts,
            "-o",
            json.toString(),
            "--results",
            store.toString(),
            "--run-id",
            "ad1");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Avg Cos Sim").contains("Divergence");
    JsonNode result = Fixtures.json(json);
    assertThat(result.get("prompts")).hasSize(PROMPTS.length);
    for (int layer = 0; layer <= 4; layer++) {
      double last = 0;
      double all = 0;
      for (int k = 0; k < PROMPTS.length; k++) {
        JsonNode expected = oracle.get("per_prompt").get(PROMPTS[k]);
        JsonNode ours = result.get("prompts").get(k);
        assertThat(ours.get("cosine_last_token").get(layer).asDouble())
            .isCloseTo(
                expected.get("cosine_last_token_by_layer").get(layer).asDouble(), within(1e-5));
        last += expected.get("cosine_last_token_by_layer").get(layer).asDouble() / PROMPTS.length;
        all +=
            expected.get("cosine_mean_over_tokens_by_layer").get(layer).asDouble() / PROMPTS.length;
      }
      JsonNode l = result.get("layers").get(layer);
      // the oracle indexes hidden_states (0 = embeddings); layer l is block l's output
      assertThat(l.get("layer").asInt()).isEqualTo(layer - 1);
      assertThat(l.get("cosine_last_token").asDouble()).isCloseTo(last, within(1e-5));
      assertThat(l.get("cosine_all_tokens").asDouble()).isCloseTo(all, within(1e-5));
      assertThat(l.get("divergence").asDouble()).isCloseTo(1 - last, within(1e-5));
      // *** marks exactly the layers above 0.1 divergence
      String prefix = (layer == 0 ? "embed" : Integer.toString(layer - 1)) + " ";
      String line = r.out().lines().filter(s -> s.startsWith(prefix)).findFirst().orElseThrow();
      assertThat(line.endsWith("***")).isEqualTo(1 - last > 0.1);
    }
    assertThat(result.get("prompts").get(0).get("tokens").get(0).asText())
        .isEqualTo("<|begin_of_text|>");

    List<Row> rows =
        new ResultsStore(TestSpark.session(), store.toString())
            .table(Tables.ACTIVATION_METRICS)
            .where("run_id = 'ad1'")
            .collectAsList();
    assertThat(rows).hasSize(PROMPTS.length * 5);
    assertThat(rows.stream().map(x -> x.<Integer>getAs("layer")).distinct().sorted())
        .containsExactly(-1, 0, 1, 2, 3);
    assertThat(
            new ResultsStore(TestSpark.session(), store.toString())
                .table(Tables.ACTIVATION_METRICS)
                .columns())
        .containsExactlyInAnyOrderElementsOf(Tables.ACTIVATION_METRICS_COLUMNS);
  }

  @Test
  void compareShowsTheOraclesLogitLensForBothModelsAndTracksTokens() throws IOException {
    Path json = dir.resolve("cmp.json");
    Path store = dir.resolve("results");
    Run r =
        run(
            "compare",
            "-m1",
            model("llama-base"),
            "-m2",
            model("llama-sft"),
            "-p",
            "The answer is",
            "--top-k",
            "10",
            "--track",
            "Return,the",
            "-o",
            json.toString(),
            "--results",
            store.toString(),
            "--run-id",
            "cmp1");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode result = Fixtures.json(json);
    assertThat(result.get("prompt").asText()).isEqualTo("The answer is");
    String[] names = {"llama-base", "llama-sft"};
    for (int m = 0; m < 2; m++) {
      JsonNode trace =
          Fixtures.json(Fixtures.root().resolve("expected/" + names[m] + ".trace.json"));
      JsonNode expected = trace.get("prompts").get(0);
      JsonNode ours = result.get("models").get(m);
      assertThat(ours.get("tokens")).hasSize(expected.get("tokens").size());
      for (JsonNode e : expected.get("logit_lens_last_position")) {
        JsonNode layer = ours.get("layers").get(e.get("layer").asInt());
        assertThat(layer.get("layer").asInt()).isEqualTo(e.get("layer").asInt() - 1);
        JsonNode top = layer.get("top");
        for (int k = 0; k < 10; k++) {
          assertThat(top.get(k).get("id").asLong()).isEqualTo(e.get("top_ids").get(k).asLong());
          assertThat(top.get(k).get("token").asText())
              .isEqualTo(e.get("top_tokens").get(k).asText());
          assertThat(top.get(k).get("prob").asDouble())
              .isCloseTo(e.get("top_probs").get(k).asDouble(), within(1e-4));
        }
      }
      assertThat(ours.get("final")).isEqualTo(ours.get("layers").get(4).get("top"));
      for (JsonNode t : ours.get("tracked")) {
        JsonNode e = expected.get("tracked").get(t.get("token").asText());
        assertThat(t.get("id").asLong()).isEqualTo(e.get("id").asLong());
        for (int l = 0; l <= 4; l++) {
          assertThat(t.get("prob_by_layer").get(l).asDouble())
              .isCloseTo(e.get("prob_by_layer").get(l).asDouble(), within(1e-4));
        }
        assertThat(t.get("emergence_layer").isNull()).isTrue(); // never top-1 in the oracle
      }
    }
    assertThat(r.out())
        .contains("Final predictions")
        .contains("never top-1")
        .contains("Layer embed\n")
        .contains("Layer 3\n")
        .doesNotContain("Layer 4");
    assertThat(
            new ResultsStore(TestSpark.session(), store.toString())
                .table(Tables.LOGIT_LENS)
                .where("run_id = 'cmp1' AND NOT tracked")
                .count())
        .isEqualTo(2 * 5 * 10);
  }

  @Test
  void aMultiTokenTrackedStringTracksItsFirstTokenAndSaysSo() throws IOException {
    Path json = dir.resolve("cmp.json");
    Run r = compareGpt2("def parse(text):", "get_weather", json);
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode t = Fixtures.json(json).get("models").get(0).get("tracked").get(0);
    assertThat(t.get("note").asText()).endsWith(" tokens: followed by its first token");
    assertThat(r.out()).contains("tokens: followed by its first token");
  }

  @Test
  void trackKeepsEachStringAsWrittenAndAcceptsTokenIds() throws IOException {
    Path json = dir.resolve("cmp.json");
    Run r = compareGpt2("The answer is", " the,the,#42", json);
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode tracked = Fixtures.json(json).get("models").get(0).get("tracked");
    assertThat(tracked).hasSize(3);
    assertThat(tracked.get(0).get("token").asText()).isEqualTo(" the");
    assertThat(tracked.get(1).get("token").asText()).isEqualTo("the");
    assertThat(tracked.get(0).get("id").asLong()).isNotEqualTo(tracked.get(1).get("id").asLong());
    assertThat(tracked.get(0).get("id_token").asText()).startsWith(" ");
    assertThat(tracked.get(2).get("id").asLong()).isEqualTo(42);
    assertThat(r.out()).contains("\" the\"").contains("id 42 ");
    assertThat(compareGpt2("x", "#99999", json).err()).contains("no token id 99999");
  }

  private static Run compareGpt2(String prompt, String track, Path json) {
    return run(
        "compare",
        "-m1",
        model("gpt2-base"),
        "-m2",
        model("gpt2-sft"),
        "-p",
        prompt,
        "--track",
        track,
        "-o",
        json.toString());
  }

  @Test
  void differentTokenizationsAreRefusedUnlessTheTokenizerIsShared() {
    Run refused =
        run(
            "activation-diff",
            "-b",
            model("llama-base"),
            "-f",
            model("gpt2-base"),
            "-p",
            "The answer is");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("tokenizes it as").contains("--shared-tokenizer");

    Run shared =
        run(
            "activation-diff",
            "-b",
            model("llama-base"),
            "-f",
            model("gpt2-base"),
            "-p",
            "The answer is",
            "--shared-tokenizer");
    assertThat(shared.exit()).as(shared.err()).isZero();
  }

  @Test
  void aCheckpointWithoutTokenizerIsOneClearLine() throws IOException {
    Path bare = dir.resolve("bare");
    Files.createDirectories(bare);
    for (String f : List.of("config.json", "model.safetensors")) {
      Files.copy(Fixtures.model("llama-base").resolve(f), bare.resolve(f));
    }
    Run r = run("activation-diff", "-b", bare.toString(), "-f", model("llama-sft"), "-p", "Hi");
    assertOneLineError(r, bare + ": no tokenizer.json");
  }

  @Test
  void anUnsupportedArchitectureNamesTheSupportedOnes() throws IOException {
    Path bert = dir.resolve("bert");
    Files.createDirectories(bert);
    for (String f : List.of("model.safetensors", "tokenizer.json")) {
      Files.copy(Fixtures.model("llama-base").resolve(f), bert.resolve(f));
    }
    Files.writeString(
        bert.resolve("config.json"),
        Files.readString(Fixtures.model("llama-base").resolve("config.json"))
            .replace("\"llama\"", "\"bert\""));
    Run r = run("compare", "-m1", bert.toString(), "-m2", model("llama-sft"), "-p", "Hi");
    assertOneLineError(r, "unsupported architecture (model_type 'bert')");
    assertThat(r.err()).contains("llama, mistral, qwen2, qwen3, gemma3_text, gpt2");
  }

  @Test
  void anEmptyPromptListIsOneClearLine() {
    Run r =
        run("activation-diff", "-b", model("llama-base"), "-f", model("llama-sft"), "-p", " , ");
    assertThat(r.exit()).isEqualTo(Main.USAGE);
    assertThat(r.err().lines().toList())
        .containsExactly(
            "deltascope: error: no prompts: -p ' , ' has none (expected \"a,b\" or @FILE)",
            "(deltascope activation-diff --help lists the options)");
  }

  @Test
  void aPromptFileThatDoesNotExistIsOneClearLine() {
    Path missing = dir.resolve("nope.txt");
    Run r =
        run(
            "activation-diff",
            "-b",
            model("llama-base"),
            "-f",
            model("llama-sft"),
            "-p",
            "@" + missing);
    assertOneLineError(r, missing + ": no such prompt file");
  }

  private static void assertOneLineError(Run r, String expected) {
    assertThat(r.exit()).isEqualTo(1);
    List<String> lines = r.err().lines().toList();
    assertThat(lines.get(0)).startsWith("deltascope: error: ").contains(expected);
    assertThat(lines).hasSize(2); // the error and the hint about --verbose
  }
}
