package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** weight-diff --results: Parquet tables partitioned by run, appended, replaced, never harmed. */
class ResultsOptionTest {
  @TempDir Path dir;

  private static final String BASE = Fixtures.model("llama-base").toString();
  private static final String SFT = Fixtures.model("llama-sft").toString();
  private static final String LORA = Fixtures.model("llama-lora-merged").toString();

  @Test
  void appendsRunsAndReplacesARunWrittenAgainUnderItsId() {
    String store = dir.resolve("store").toString();
    assertThat(run("--results", store, "--run-id", "sft", "-f", SFT)).isZero();
    assertThat(run("--results", store, "--run-id", "lora", "-f", LORA)).isZero();
    assertThat(run("--results", store, "--run-id", "sft", "-f", SFT)).isZero();

    SparkSession spark = TestSpark.session();
    var runs = new io.deltascope.results.ResultsStore(spark, store.toString()).table("runs");
    var metrics =
        new io.deltascope.results.ResultsStore(spark, store.toString()).table("tensor_metrics");
    assertThat(runs.count()).isEqualTo(2);
    assertThat(metrics.where("run_id = 'sft'").count()).isEqualTo(39);
    assertThat(metrics.where("run_id = 'lora'").count()).isEqualTo(39);
    Row head =
        metrics
            .where("run_id = 'sft' AND tensor = 'lm_head.weight'")
            .select("relative_delta", "component", "status", "shape_base")
            .first();
    assertThat(head.getDouble(0))
        .isEqualTo(0.09719049573710863, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(head.getString(1)).isEqualTo("lm_head");
    assertThat(head.getString(2)).isEqualTo("compared");
    assertThat(head.getList(3)).containsExactly(1024L, 128L);
    Row lora =
        runs.where("run_id = 'lora'").select("command", "base", "finetuned", "status").first();
    assertThat(lora.getString(0)).isEqualTo("weight-diff");
    assertThat(lora.getString(2)).isEqualTo(LORA);
    assertThat(lora.getString(3)).isEqualTo("succeeded");
    assertThat(Path.of(store, "runs", "_delta_log")).isDirectory();
    assertThat(Path.of(store, "tensor_metrics", "_delta_log")).isDirectory();
  }

  @Test
  void aFailedRunLeavesTheStoreAsItWas() throws Exception {
    String store = dir.resolve("store").toString();
    assertThat(run("--results", store, "--run-id", "good", "-f", SFT)).isZero();
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.write(broken.resolve("model.safetensors"), new byte[] {1, 2});
    assertThat(run("--results", store, "--run-id", "good", "-f", broken.toString())).isEqualTo(1);

    var metrics =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("tensor_metrics");
    assertThat(metrics.count()).isEqualTo(39);
    assertThat(
            new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
                .table("runs")
                .count())
        .isEqualTo(1);
  }

  private static int run(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "weight-diff";
    all[1] = "-b=" + BASE;
    System.arraycopy(args, 0, all, 2, args.length);
    CliRun run = CliRun.of(all);
    if (run.exitCode() != 0) {
      System.err.println(run.err());
    }
    return run.exitCode();
  }
}
