package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltascope.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlCommandTest {
  @TempDir static Path dir;
  private static String store;

  @BeforeAll
  static void store() {
    store = dir.resolve("store").toString();
    String base = Fixtures.model("llama-base").toString();
    for (String[] run : new String[][] {{"sft", "llama-sft"}, {"lora", "llama-lora-merged"}}) {
      CliRun r =
          CliRun.of(
              "weight-diff",
              "-b",
              base,
              "-f",
              Fixtures.model(run[1]).toString(),
              "--results",
              store,
              "--run-id",
              run[0]);
      assertThat(r.exitCode()).as(r.err()).isZero();
    }
  }

  @Test
  void queriesEveryTableAsAView() {
    CliRun run =
        CliRun.of(
            "sql",
            "--results",
            store,
            "SELECT run_id, tensor, relative_delta FROM tensor_metrics WHERE run_id = 'sft'"
                + " ORDER BY relative_delta DESC LIMIT 3");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("run_id  tensor")
        .contains("sft     model.layers.1.self_attn.o_proj.weight")
        .contains("(3 rows)");
  }

  @Test
  void answersWhichRunsLookLikeLoraMergesInCsv() {
    CliRun run =
        CliRun.of(
            "sql",
            "--results",
            store,
            "--format",
            "csv",
            "SELECT r.run_id, count(*) AS untouched FROM runs r JOIN tensor_metrics t USING (run_id)"
                + " WHERE t.zero_fraction = 1.0 GROUP BY r.run_id ORDER BY r.run_id");
    assertThat(run.exitCode()).as(run.err()).isZero();
    // the merged rank-4 LoRA leaves everything but q and v of each layer exactly as it was
    assertThat(run.out()).isEqualTo("run_id,untouched\nlora,31\n");
  }

  @Test
  void printsJsonRows() throws Exception {
    CliRun run =
        CliRun.of(
            "sql",
            "--results",
            store,
            "--format",
            "json",
            "SELECT tensor, shape_base, relative_delta FROM tensor_metrics"
                + " WHERE run_id = 'sft' AND tensor = 'lm_head.weight'");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode row = new ObjectMapper().readTree(run.out()).get("rows").get(0);
    assertThat(row.get("shape_base").toString()).isEqualTo("[1024,128]");
    assertThat(row.get("relative_delta").asDouble())
        .isCloseTo(0.09719049573710863, org.assertj.core.api.Assertions.within(1e-15));
  }

  @Test
  void aBadQueryIsOneLine() {
    CliRun run = CliRun.of("sql", "--results", store, "SELECT nope FROM tensor_metrics");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine()).startsWith("deltascope: error: ").contains("nope");
  }

  @Test
  void aMissingStoreIsOneLine() {
    CliRun run = CliRun.of("sql", "--results", dir.resolve("nothing").toString(), "SELECT 1");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine()).endsWith("nothing: no such results store");
  }
}
