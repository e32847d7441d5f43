package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.deltascope.FewShufflePartitions;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.model.OracleLogitDiff;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Many pairs, one Spark application, one results store. */
@ExtendWith(FewShufflePartitions.class)
class BatchCommandTest {
  @TempDir static Path dir;
  private static String store;
  private static CliRun first;

  @BeforeAll
  static void batch() throws IOException {
    store = dir.resolve("store").toString();
    Path pairs =
        Files.writeString(
            dir.resolve("pairs.csv"),
            "name,base,finetuned\n"
                + line("sft", "llama-base", "llama-sft")
                + line("lora", "llama-base", "llama-lora-merged")
                + line("resized", "llama-base", "llama-sft-resized")
                + line("qwen", "qwen2-base", "qwen2-sft")
                + "broken,"
                + Fixtures.model("llama-base")
                + ","
                + dir.resolve("no-such-model")
                + "\n");
    first =
        CliRun.of(
            "batch",
            "--pairs",
            pairs.toString(),
            "--results",
            store,
            "--run-id",
            "nightly",
            "--analyses",
            "weights,spectra");
    // a single-pair run to compare with
    CliRun single =
        CliRun.of(
            "weight-diff",
            "-b",
            Fixtures.model("llama-base").toString(),
            "-f",
            Fixtures.model("llama-lora-merged").toString(),
            "--results",
            store,
            "--run-id",
            "single");
    assertThat(single.exitCode()).as(single.err()).isZero();
  }

  @Test
  void recordsTheFailedPairAndCompletesTheOthers() {
    assertThat(first.exitCode()).as(first.err()).isEqualTo(Main.SOME_PAIRS_FAILED);
    assertThat(first.out())
        .containsPattern("sft\\s+succeeded\\s+39")
        .containsPattern("qwen\\s+succeeded\\s+50")
        .containsPattern("broken\\s+failed\\s+.*no-such-model: no such file or folder");
    List<Row> runs =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("runs")
            .where("batch_id = 'nightly'")
            .orderBy("pair")
            .select("pair", "status", "error", "run_id")
            .collectAsList();
    assertThat(runs)
        .extracting(r -> r.getString(0))
        .containsExactly("broken", "lora", "qwen", "resized", "sft");
    assertThat(runs.get(0).getString(1)).isEqualTo("failed");
    assertThat(runs.get(0).getString(2)).endsWith("no-such-model: no such file or folder");
    assertThat(runs.get(1).getString(1)).isEqualTo("succeeded");
    assertThat(runs.get(1).getString(3)).isEqualTo("nightly-lora");
  }

  @Test
  void everyPairEqualsItsSingleRun() {
    Dataset<Row> metrics =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("tensor_metrics");
    String[] columns =
        Tables.TENSOR_METRICS_COLUMNS.stream()
            .filter(c -> !c.equals("run_id"))
            .toArray(String[]::new);
    Dataset<Row> batch = metrics.where("run_id = 'nightly-lora'").selectExpr(columns);
    Dataset<Row> single = metrics.where("run_id = 'single'").selectExpr(columns);
    assertThat(batch.count()).isEqualTo(39);
    assertThat(batch.exceptAll(single).count()).isZero();
    assertThat(single.exceptAll(batch).count()).isZero();
  }

  @Test
  void runningTheBatchAgainReplacesItsRuns() throws IOException {
    Path pairs =
        Files.writeString(
            dir.resolve("again.jsonl"),
            "{\"name\": \"sft\", \"base\": \""
                + Fixtures.model("llama-base")
                + "\", \"finetuned\": \""
                + Fixtures.model("llama-sft")
                + "\"}\n");
    CliRun again =
        CliRun.of("batch", "--pairs", pairs.toString(), "--results", store, "--run-id", "nightly");
    assertThat(again.exitCode()).as(again.err()).isZero();
    Dataset<Row> metrics =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("tensor_metrics");
    assertThat(metrics.where("run_id = 'nightly-sft'").count()).isEqualTo(39);
    assertThat(
            new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
                .table("runs")
                .where("run_id = 'nightly-sft'")
                .count())
        .isEqualTo(1);
  }

  @Test
  void theDefaultWeightsAnalysisStoresTheMergedLorasKindAsLoraMerge() throws IOException {
    Path pairs =
        Files.writeString(
            dir.resolve("fast.csv"),
            "name,base,finetuned\n" + line("lora", "llama-base", "llama-lora-merged"));
    CliRun fast =
        CliRun.of("batch", "--pairs", pairs.toString(), "--results", store, "--run-id", "fast");
    assertThat(fast.exitCode()).as(fast.err()).isZero();
    Row run =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("runs")
            .where("run_id = 'fast-lora'")
            .select("kind")
            .first();
    assertThat(run.getString(0)).isEqualTo("lora_merge");
  }

  @Test
  void activationsAddEachPairsCosinesByLayerToItsRun() throws IOException {
    Path pairs =
        Files.writeString(
            dir.resolve("activations.csv"),
            line("sft", "llama-base", "llama-sft") + line("gpt2", "gpt2-base", "gpt2-sft"));
    CliRun run =
        CliRun.of(
            "batch",
            "--pairs",
            pairs.toString(),
            "--results",
            store,
            "--run-id",
            "acts",
            "--analyses",
            "weights,activations",
            "--prompts",
            "The answer is,Hello");
    assertThat(run.exitCode()).as(run.err()).isZero();
    Dataset<Row> acts =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("activation_metrics");
    // 2 prompts x (4 layers + the embeddings) for each pair; layer l is block l, embed -1
    assertThat(acts.where("run_id = 'acts-sft'").count()).isEqualTo(10);
    assertThat(acts.where("run_id = 'acts-sft' AND layer = -1").count()).isEqualTo(2);
    assertThat(acts.where("run_id = 'acts-gpt2'").count()).isEqualTo(10);
    double lastLayer =
        acts.where("run_id = 'acts-sft' AND layer = 3 AND prompt_index = 0")
            .select("cosine_last_token")
            .first()
            .getDouble(0);
    assertThat(lastLayer).isBetween(0.0, 1.0);
  }

  @Test
  void logitsAddEachPairsTokenMetricsAndAVocabularyMismatchFailsOnlyItsPair() throws IOException {
    Path pairs =
        Files.writeString(
            dir.resolve("logits.csv"),
            line("sft", "llama-base", "llama-sft")
                + line("resized", "llama-sft", "llama-sft-resized"));
    CliRun run =
        CliRun.of(
            "batch",
            "--pairs",
            pairs.toString(),
            "--results",
            store,
            "--run-id",
            "lg",
            "--analyses",
            "weights,logits",
            "--prompts",
            "The answer is");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.SOME_PAIRS_FAILED);
    assertThat(run.out()).contains("logits: ").contains("over 1032");
    ResultsStore results = new ResultsStore(TestSpark.session(), store);
    List<Row> rows =
        results
            .table(Tables.TOKEN_METRICS)
            .where("run_id = 'lg-sft'")
            .orderBy("position")
            .collectAsList();
    List<OracleLogitDiff.Position> expected =
        OracleLogitDiff.positions("llama-base", "llama-sft", 0);
    assertThat(rows).hasSize(expected.size());
    for (int i = 0; i < rows.size(); i++) {
      double kl = expected.get(i).kl();
      assertThat(rows.get(i).<Double>getAs("kl_divergence")).isCloseTo(kl, within(1e-4 * kl));
    }
    assertThat(results.table(Tables.TOKEN_METRICS).where("run_id = 'lg-resized'").count()).isZero();
  }

  @Test
  void activationsWithoutPromptsAreRefused() throws IOException {
    Path pairs = Files.writeString(dir.resolve("one.csv"), line("sft", "llama-base", "llama-sft"));
    CliRun run =
        CliRun.of(
            "batch", "--pairs", pairs.toString(), "--results", store, "--analyses", "activations");
    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.errorLine()).contains("--analyses activations needs --prompts");
  }

  @Test
  void aMalformedPairsFileIsOneLine() throws IOException {
    Path pairs = Files.writeString(dir.resolve("bad.csv"), "a,b\n");
    CliRun run = CliRun.of("batch", "--pairs", pairs.toString(), "--results", store);
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine())
        .isEqualTo(
            "deltascope: error: "
                + pairs
                + ": line 1: expected 3 columns name,base,finetuned, found 2");
  }

  private static String line(String name, String base, String finetuned) {
    return name + "," + Fixtures.model(base) + "," + Fixtures.model(finetuned) + "\n";
  }
}
