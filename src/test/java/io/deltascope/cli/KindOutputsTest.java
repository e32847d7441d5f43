package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the pair is, on every output of weight-diff: terminal, JSON, runs table and HTML. */
class KindOutputsTest {
  @TempDir Path dir;

  private static final String LLAMA = Fixtures.model("llama-base").toString();
  private static final String QWEN = Fixtures.model("qwen2-base").toString();

  @Test
  void unrelatedFamiliesAreNamedSoOnTheTerminalInJsonAndInTheRunsTable() throws Exception {
    Path json = dir.resolve("out.json");
    String store = dir.resolve("store").toString();
    CliRun run = weightDiff(QWEN, json, "--results", store, "--run-id", "families");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Diagnosis: unrelated")
        .contains("Unrelated models (model_type llama vs qwen2")
        .doesNotContain("Vocabulary resized")
        .doesNotContain("extreme")
        .contains("Report: " + json);
    JsonNode diagnosis = Fixtures.json(json).get("diagnosis");
    assertThat(diagnosis.get("kind").asText()).isEqualTo("unrelated");
    assertThat(diagnosis.get("profile").isNull()).isTrue();
    var kind =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("runs")
            .where("run_id = 'families'")
            .select("kind")
            .first();
    assertThat(kind.getString(0)).isEqualTo("unrelated");
  }

  @Test
  void theHtmlReportShowsTheKindAndAPureRetypeAsOneGroupedFigure() throws Exception {
    Path html = dir.resolve("out.html");
    CliRun run = weightDiff(Fixtures.model("llama-lora-merged").toString(), html);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Report: " + html)
        .contains("  retyped     39 tensors BF16 -> F32\n")
        .doesNotContain("retyped     lm_head.weight");
    String page = Files.readString(html);
    assertThat(page).contains("<span class=\"kind kind-lora_merge\">lora merge</span>");
    assertThat(page).doesNotContain("profile-extreme");
    assertThat(page)
        .contains("<span class=\"value\">39 tensors BF16 -&gt; F32</span>")
        .doesNotContain("<span class=\"value\">39</span><span class=\"label\">structural");
  }

  @Test
  void theFastScanCallsTheMergedLoraALoraMergeOfRank4InJsonAndInTheRunsTable() throws Exception {
    Path json = dir.resolve("fast.json");
    String store = dir.resolve("store").toString();
    CliRun run =
        weightDiff(
            Fixtures.model("llama-lora-merged").toString(),
            json,
            "--fast",
            "--results",
            store,
            "--run-id",
            "fast-lora");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Diagnosis: lora_merge").doesNotContain("extreme");
    JsonNode diagnosis = Fixtures.json(json).get("diagnosis");
    assertThat(diagnosis.get("kind").asText()).isEqualTo("lora_merge");
    assertThat(diagnosis.get("summary").asText())
        .contains("rank-4 LoRA-like update on attn_q and attn_v of every layer");
    var kind =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store)
            .table("runs")
            .where("run_id = 'fast-lora'")
            .select("kind")
            .first();
    assertThat(kind.getString(0)).isEqualTo("lora_merge");
  }

  /** weight-diff of llama-base against {@code finetuned}, written to {@code output}. */
  private static CliRun weightDiff(String finetuned, Path output, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of("weight-diff", "-b", LLAMA, "-f", finetuned, "-o", output.toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }
}
