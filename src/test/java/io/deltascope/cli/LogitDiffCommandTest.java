package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.model.OracleLogitDiff;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** logit-diff from the command line to JSON, Parquet and the terminal, against the oracle. */
class LogitDiffCommandTest {
  // the oracle's prompts 0, 2 and 3 (prompt 1 has a newline, which a prompt file cannot carry)
  private static final int[] PROMPTS = {0, 2, 3};

  @TempDir Path dir;

  @BeforeAll
  static void spark() {
    TestSpark.session();
  }

  static String model(String name) {
    return Fixtures.model(name).toString();
  }

  @Test
  void summaryPerPromptFiguresAndTokenRowsMatchTheOracleInFloat64() throws IOException {
    Path prompts = dir.resolve("prompts.txt");
    JsonNode index = Fixtures.json(Fixtures.root().resolve("expected/index.json"));
    StringBuilder lines = new StringBuilder();
    for (int i : PROMPTS) {
      lines.append(index.get("prompts").get(i).asText()).append('\n');
    }
    Files.writeString(prompts, lines);
    Path json = dir.resolve("out.json");
    Path store = dir.resolve("results");

    CliRun r =
        CliRun.of(
            "logit-diff",
            "-b",
            model("llama-base"),
            "-f",
            model("llama-sft"),
            "-p",
            "@" + prompts,
            "--top-k",
            "3",
            "--top-positions",
            "4",
            "-o",
            json.toString(),
            "--results",
            store.toString(),
            "--run-id",
            "ld1");

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<OracleLogitDiff.Position> all = new ArrayList<>();
    JsonNode doc = Fixtures.json(json);
    for (int k = 0; k < PROMPTS.length; k++) {
      List<OracleLogitDiff.Position> expected =
          OracleLogitDiff.positions("llama-base", "llama-sft", PROMPTS[k]);
      all.addAll(expected);
      assertSummary(doc.get("prompts").get(k), expected);
      assertThat(doc.get("prompts").get(k).get("prompt").asText())
          .isEqualTo(index.get("prompts").get(PROMPTS[k]).asText());
    }
    assertSummary(doc.get("summary"), all);

    JsonNode top = doc.get("top_positions");
    assertThat(top).hasSize(4);
    double[] kls = all.stream().mapToDouble(OracleLogitDiff.Position::kl).sorted().toArray();
    assertThat(top.get(0).get("kl").asDouble())
        .isCloseTo(kls[kls.length - 1], within(1e-4 * kls[kls.length - 1]));
    assertThat(top.get(3).get("kl").asDouble())
        .isCloseTo(kls[kls.length - 4], within(1e-4 * kls[kls.length - 4]));
    assertThat(top.get(0).get("base")).hasSize(3);
    assertThat(top.get(0).get("finetuned").get(0).get("token").asText()).isNotEmpty();
    long histogram = 0;
    for (JsonNode c : doc.get("kl_histogram").get("counts")) {
      histogram += c.asLong();
    }
    histogram += doc.get("kl_histogram").get("below_first_edge").asLong();
    assertThat(histogram).isEqualTo(all.size());

    assertThat(r.out())
        .contains("KL divergence (nats)")
        .contains("Top-1 agreement")
        .contains("Perplexity")
        .contains("Positions of largest KL");

    ResultsStore results = new ResultsStore(TestSpark.session(), store.toString());
    assertThat(results.table(Tables.TOKEN_METRICS).columns())
        .containsExactlyInAnyOrderElementsOf(Tables.TOKEN_METRICS_COLUMNS);
    List<Row> rows =
        results
            .table(Tables.TOKEN_METRICS)
            .where("run_id = 'ld1'")
            .orderBy("prompt_index", "position")
            .collectAsList();
    assertThat(rows).hasSize(all.size());
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      OracleLogitDiff.Position e = all.get(i);
      assertThat(row.<Double>getAs("kl_divergence")).isCloseTo(e.kl(), within(1e-4 * e.kl()));
      assertThat(row.<Integer>getAs("top1_base")).isEqualTo(e.top1Base());
      if (Double.isNaN(e.lpBase())) {
        assertThat(row.<Object>getAs("logprob_base")).isNull();
        assertThat(row.<Object>getAs("next_token_id")).isNull();
      } else {
        assertThat(row.<Double>getAs("logprob_finetuned")).isCloseTo(e.lpFinetuned(), within(1e-5));
      }
    }
    long withTop = rows.stream().filter(x -> x.getAs("top_ids_base") != null).count();
    assertThat(withTop).isBetween(4L, 4L * PROMPTS.length);
  }

  @Test
  void aCorpusIsCutIntoWindowsThatEachStartWithTheTokenizersBos() throws IOException {
    // "The answer is" is [BOS, The, Ġan, s, wer, Ġis]: windows of 3 hold BOS and two tokens
    Path text = dir.resolve("corpus.txt");
    Files.writeString(text, "The answer is");
    Path json = dir.resolve("windows.json");
    CliRun r = windows(text, 3, json);
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode doc = Fixtures.json(json);
    assertThat(doc.get("prompts")).hasSize(3);
    assertThat(doc.get("summary").get("positions").asInt()).isEqualTo(3 + 3 + 2);
    assertThat(doc.get("summary").get("scored_positions").asInt()).isEqualTo(2 + 2 + 1);

    // one window holding the whole prompt is the oracle's prompt 0
    Path whole = dir.resolve("whole.json");
    CliRun w = windows(text, 6, whole);
    assertThat(w.exitCode()).as(w.err()).isZero();
    assertSummary(
        Fixtures.json(whole).get("summary"),
        OracleLogitDiff.positions("llama-base", "llama-sft", 0));
  }

  @Test
  void aQ8GgufWithItsSourcesTokenizerAgreesNearlyEverywhere() throws IOException {
    Path json = dir.resolve("gguf.json");
    CliRun r =
        CliRun.of(
            "logit-diff",
            "-b",
            model("llama-sft"),
            "-f",
            Fixtures.root().resolve("gguf/llama-sft.q8_0.gguf").toString(),
            "--tokenizer",
            model("llama-sft"),
            "-p",
            "The answer is,def parse(text):",
            "-o",
            json.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode s = Fixtures.json(json).get("summary");
    assertThat(s.get("kl_mean").asDouble()).isGreaterThan(0).isLessThan(1e-3);
    assertThat(s.get("top1_agreement").asDouble()).isGreaterThanOrEqualTo(0.9);
    assertThat(s.get("perplexity_finetuned").asDouble() / s.get("perplexity_base").asDouble())
        .isCloseTo(1, within(0.05));
  }

  @Test
  void aModelAgainstItselfHasZeroKlAndFullAgreement() throws IOException {
    Path json = dir.resolve("self.json");
    CliRun r =
        CliRun.of(
            "logit-diff",
            "-b",
            model("llama-sft"),
            "-f",
            model("llama-sft"),
            "-p",
            "The answer is",
            "-o",
            json.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode s = Fixtures.json(json).get("summary");
    assertThat(s.get("kl_max").asDouble()).isEqualTo(0.0);
    assertThat(s.get("top1_agreement").asDouble()).isEqualTo(1.0);
    assertThat(s.get("delta_p_rms").asDouble()).isEqualTo(0.0);
    assertThat(s.get("perplexity_finetuned").asDouble())
        .isEqualTo(s.get("perplexity_base").asDouble());
  }

  @Test
  void badInputIsOneLineAndWritesNothing() throws IOException {
    Path json = dir.resolve("bad.json");
    Path store = dir.resolve("bad-results");
    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "");
    Path text = dir.resolve("t.txt");
    Files.writeString(text, "some text");
    String[] out = {"-o", json.toString(), "--results", store.toString()};

    CliRun vocab =
        run(out, "-b", model("llama-sft"), "-f", model("llama-sft-resized"), "-p", "The answer");
    assertThat(vocab.exitCode()).isEqualTo(Main.FAILED);
    assertThat(vocab.errorLine())
        .contains("predicts over 1024 tokens")
        .contains("over 1032")
        .contains("llama-sft-resized");

    // heads of one size (1024), but an id is another token in each tokenizer
    CliRun tokens = run(out, "-b", model("llama-base"), "-f", model("qwen2-base"), "-p", "Hi");
    assertThat(tokens.exitCode()).isEqualTo(Main.FAILED);
    assertThat(tokens.errorLine())
        .contains("the models' tokenizers differ (id 0 is")
        .contains("llama-base/tokenizer.json")
        .contains("qwen2-base/tokenizer.json")
        .contains("cannot be compared; pass --shared-tokenizer");

    CliRun corpus =
        run(out, "-b", model("llama-base"), "-f", model("llama-sft"), "--text", empty.toString());
    assertThat(corpus.exitCode()).isEqualTo(Main.FAILED);
    assertThat(corpus.errorLine()).contains("empty.txt").contains("empty");

    CliRun window =
        run(
            out,
            "-b",
            model("gpt2-base"),
            "-f",
            model("gpt2-sft"),
            "--text",
            text.toString(),
            "--window",
            "300");
    assertThat(window.exitCode()).isEqualTo(Main.FAILED);
    assertThat(window.errorLine()).contains("--window 300").contains("context of 256 tokens");

    CliRun both =
        run(
            out,
            "-b",
            model("llama-base"),
            "-f",
            model("llama-sft"),
            "-p",
            "a",
            "--text",
            text.toString());
    assertThat(both.exitCode()).isEqualTo(Main.USAGE);

    assertThat(json).doesNotExist();
    assertThat(store).doesNotExist();
  }

  @Test
  void sharedTokenizerComparesModelsWhoseTokenizersDifferWhenAsked() throws IOException {
    Path json = dir.resolve("shared.json");
    CliRun r =
        CliRun.of(
            "logit-diff",
            "-b",
            model("llama-base"),
            "-f",
            model("qwen2-base"),
            "--shared-tokenizer",
            "-p",
            "The answer is",
            "-o",
            json.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Fixtures.json(json).get("summary").get("kl_mean").asDouble()).isPositive();
  }

  @Test
  void aBinaryCorpusOrPromptFileIsOneLineNamingTheFileAndTheByte() throws IOException {
    Path binary = dir.resolve("weights.bin");
    Files.write(binary, new byte[] {'a', 'b', 'c', (byte) 0xff, 0, 1, 2});
    Path json = dir.resolve("binary.json");
    String[] out = {"-o", json.toString()};
    String line = "deltascope: error: " + binary + ": not valid UTF-8 text (at byte 3)";

    CliRun corpus =
        run(out, "-b", model("llama-base"), "-f", model("llama-sft"), "--text", binary.toString());
    assertThat(corpus.exitCode()).isEqualTo(Main.FAILED);
    assertThat(corpus.errorLine()).isEqualTo(line);

    CliRun prompts =
        run(out, "-b", model("llama-base"), "-f", model("llama-sft"), "-p", "@" + binary);
    assertThat(prompts.exitCode()).isEqualTo(Main.FAILED);
    assertThat(prompts.errorLine()).isEqualTo(line);
    assertThat(json).doesNotExist();
  }

  private static CliRun windows(Path text, int window, Path json) {
    return CliRun.of(
        "logit-diff",
        "-b",
        model("llama-base"),
        "-f",
        model("llama-sft"),
        "--text",
        text.toString(),
        "--window",
        String.valueOf(window),
        "-o",
        json.toString());
  }

  private static CliRun run(String[] outputs, String... args) {
    List<String> all = new ArrayList<>(List.of("logit-diff"));
    all.addAll(Arrays.asList(args));
    all.addAll(Arrays.asList(outputs));
    return CliRun.of(all.toArray(String[]::new));
  }

  /** A summary node against the oracle's positions, every figure recomputed here in float64. */
  static void assertSummary(JsonNode s, List<OracleLogitDiff.Position> positions) {
    double[] kl = positions.stream().mapToDouble(OracleLogitDiff.Position::kl).sorted().toArray();
    int n = kl.length;
    double mean = Arrays.stream(kl).average().orElseThrow();
    long agree = positions.stream().filter(p -> p.top1Base() == p.top1Finetuned()).count();
    double nllA = 0;
    double nllB = 0;
    double dp2 = 0;
    int scored = 0;
    for (OracleLogitDiff.Position p : positions) {
      if (!Double.isNaN(p.lpBase())) {
        scored++;
        nllA -= p.lpBase();
        nllB -= p.lpFinetuned();
        dp2 += Math.pow(Math.exp(p.lpFinetuned()) - Math.exp(p.lpBase()), 2);
      }
    }
    assertThat(s.get("positions").asInt()).isEqualTo(n);
    assertThat(s.get("scored_positions").asInt()).isEqualTo(scored);
    assertRelative(s, "kl_mean", mean);
    assertRelative(s, "kl_median", quantile(kl, 0.5));
    assertRelative(s, "kl_p99", quantile(kl, 0.99));
    assertRelative(s, "kl_max", kl[n - 1]);
    assertThat(s.get("top1_agreement").asDouble()).isEqualTo(agree / (double) n);
    assertRelative(s, "perplexity_base", Math.exp(nllA / scored));
    assertRelative(s, "perplexity_finetuned", Math.exp(nllB / scored));
    assertRelative(s, "delta_p_rms", Math.sqrt(dp2 / scored));
  }

  private static void assertRelative(JsonNode s, String field, double expected) {
    assertThat(s.get(field).asDouble()).as(field).isCloseTo(expected, within(1e-4 * expected));
  }

  // numpy's default: linear between the closest ranks
  private static double quantile(double[] sorted, double q) {
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
