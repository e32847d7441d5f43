package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlCommandTest {
  @TempDir static Path dir;
  private static String store;

  @BeforeAll
  static void store() {
    store = dir.resolve("store").toString();
    CliRun.storeWeightDiff(store, "sft", "llama-sft");
    CliRun.storeWeightDiff(store, "lora", "llama-lora-merged");
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
  void servesManyQueriesInOneSessionAndAFailedOneLeavesItServing() throws Exception {
    String queries =
        String.join(
            "\n",
            line("SELECT count(*) AS runs FROM runs"),
            line("DROP TABLE runs"),
            "SELECT 1",
            "",
            line("SELECT run_id\nFROM runs -- a comment ends at its line\nORDER BY run_id"),
            line("SELECT 'caf\u00e9' AS word"));
    CliRun run =
        withStdin(
            new ByteArrayInputStream(queries.getBytes(StandardCharsets.UTF_8)),
            () -> CliRun.of("sql", "--results", store, "--format", "csv", "--serve"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<JsonNode> answers = answers(run.out());
    assertThat(answers).hasSize(5);
    assertThat(answers.get(0).get("result").asText()).isEqualTo("runs\n2\n");
    assertThat(answers.get(1).get("error").asText())
        .startsWith("sql runs queries only")
        .contains("DropTable");
    assertThat(answers.get(2).get("error").asText())
        .isEqualTo("a query line must be one JSON string, not: SELECT 1");
    assertThat(answers.get(3).get("result").asText()).isEqualTo("run_id\nlora\nsft\n");
    assertThat(answers.get(4).get("result").asText()).isEqualTo("word\ncaf\u00e9\n");
    assertThat(run.out()).isEqualTo(run.out().replaceAll("[^\\x00-\\x7f]", "")); // ASCII only
  }

  /**
   * Spark's analysis errors (checked exceptions) are answers too, and no stack without --verbose.
   */
  @Test
  void servesEveryLineWhateverSparkRejects() throws Exception {
    String queries =
        String.join(
            "\n",
            line("SELECT nope FROM runs"),
            line("SHOW CREATE TABLE runs"),
            line("SELECT * FROM runs VERSION AS OF 999"),
            line("SELECT * FROM nosuch"),
            line(
                "SELECT TRANSFORM(run_id) USING 'touch "
                    + dir.resolve("served-ran")
                    + "' FROM runs"),
            line("SELECT * FROM text.`" + dir.resolve("store/runs") + "`"),
            line("SELECT count(*) AS runs FROM runs"));
    CliRun run =
        withStdin(
            new ByteArrayInputStream(queries.getBytes(StandardCharsets.UTF_8)),
            () -> CliRun.of("sql", "--results", store, "--format", "csv", "--serve"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<JsonNode> answers = answers(run.out());
    assertThat(answers).hasSize(7);
    assertThat(answers.get(0).get("error").asText()).contains("nope").doesNotContain("\n");
    assertThat(answers.get(1).get("error").asText()).contains("SHOW CREATE TABLE");
    assertThat(answers.get(2).get("error").asText()).contains("999");
    assertThat(answers.get(3).get("error").asText())
        .isEqualTo(
            store + ": no table nosuch in this results store (its tables: " + tables() + ")");
    assertThat(answers.get(4).get("error").asText())
        .isEqualTo(
            "sql runs queries only (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN); refused:"
                + " ScriptTransformation");
    assertThat(answers.get(5).get("error").asText())
        .startsWith("sql reads the store's tables only; refused: `text`.`");
    assertThat(answers.get(6).get("result").asText()).isEqualTo("runs\n2\n");
    assertThat(dir.resolve("served-ran")).doesNotExist();
    assertThat(run.err()).doesNotContain("\tat ");
  }

  private static String tables() {
    return String.join(
        ", ",
        new io.deltascope.results.ResultsStore(io.deltascope.TestSpark.session(), store).tables());
  }

  /** A table the store lacks (here its folder deleted) is named with the store and its tables. */
  @Test
  void aTableTheStoreLacksIsNamedWithTheStoresTables() throws Exception {
    Path copy = dir.resolve("without-tensor-metrics");
    try (var files = Files.walk(dir.resolve("store"))) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(dir.resolve("store").relativize(f).toString()));
      }
    }
    try (var files = Files.walk(copy.resolve("tensor_metrics"))) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
    CliRun run =
        CliRun.of("sql", "--results", copy.toString(), "SELECT count(*) FROM tensor_metrics");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.errorLine())
        .startsWith(
            "deltascope: error: " + copy + ": no table tensor_metrics in this results store")
        .contains("(its tables: ");
    String listed = run.errorLine().substring(run.errorLine().indexOf("(its tables: "));
    assertThat(listed).contains("runs").doesNotContain("tensor_metrics");
    assertThat(run.err().lines().filter(l -> !l.startsWith("(run with --verbose"))).hasSize(1);
  }

  @Test
  void aServingSessionSeesRunsWrittenSinceItStarted() throws Exception {
    String served = dir.resolve("served").toString();
    CliRun.storeWeightDiff(served, "first", "llama-sft");
    PipedOutputStream queries = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(queries);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int[] code = {-1};
    InputStream before = System.in;
    System.setIn(stdin);
    Thread session =
        new Thread(
            () ->
                code[0] =
                    Main.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        "sql",
                        "--results",
                        served,
                        "--format",
                        "csv",
                        "--serve"));
    try {
      session.start();
      ask(queries, out, "SELECT count(*) AS runs FROM runs", 1);
      CliRun.storeWeightDiff(served, "second", "llama-sft");
      ask(queries, out, "SELECT count(*) AS runs FROM runs", 2);
      queries.close();
      session.join(60_000);
    } finally {
      System.setIn(before);
    }
    assertThat(code[0]).as(err.toString()).isZero();
    assertThat(answers(out.toString()))
        .extracting(a -> a.get("result").asText())
        .containsExactly("runs\n1\n", "runs\n2\n");
  }

  @Test
  void serveTakesNoQueryAndAQueryIsNeededWithoutIt() {
    CliRun both = CliRun.of("sql", "--results", store, "--serve", "SELECT 1");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.errorLine())
        .isEqualTo("deltascope: error: --serve reads its queries from stdin; give no QUERY");
    CliRun neither = CliRun.of("sql", "--results", store);
    assertThat(neither.exitCode()).isEqualTo(2);
    assertThat(neither.errorLine())
        .isEqualTo("deltascope: error: Missing required parameter: 'QUERY'");
  }

  private static String line(String query) throws Exception {
    return new ObjectMapper().writeValueAsString(query);
  }

  private static List<JsonNode> answers(String out) throws Exception {
    List<JsonNode> answers = new ArrayList<>();
    for (String answer : out.lines().toList()) {
      answers.add(new ObjectMapper().readTree(answer));
    }
    return answers;
  }

  /** Sends a query and waits until the session has answered {@code answered} queries in all. */
  private static void ask(OutputStream queries, StringWriter out, String query, int answered)
      throws Exception {
    queries.write((line(query) + "\n").getBytes(StandardCharsets.UTF_8));
    queries.flush();
    long deadline = System.currentTimeMillis() + 120_000;
    while (out.toString().lines().count() < answered) {
      assertThat(System.currentTimeMillis()).as("an answer within 2 minutes").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static CliRun withStdin(InputStream in, java.util.function.Supplier<CliRun> run) {
    InputStream before = System.in;
    System.setIn(in);
    try {
      return run.get();
    } finally {
      System.setIn(before);
    }
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
