package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sql} reads the store: statements that write, run commands or programs, read files outside
 * the store or call Java are refused before Spark.
 */
class SqlReaderTest {
  @TempDir static Path dir;
  private static String store;

  @BeforeAll
  static void store() {
    store = dir.resolve("store").toString();
    CliRun r =
        CliRun.of(
            "weight-diff",
            "-b",
            Fixtures.model("llama-base").toString(),
            "-f",
            Fixtures.model("llama-sft").toString(),
            "--results",
            store,
            "--run-id",
            "sft");
    assertThat(r.exitCode()).as(r.err()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "INSERT INTO runs SELECT * FROM runs",
        "WITH r AS (SELECT * FROM runs) INSERT INTO runs SELECT * FROM r",
        "INSERT OVERWRITE DIRECTORY '%s/tensor_metrics' USING parquet SELECT * FROM runs",
        "CREATE TABLE escape USING parquet LOCATION '%s/escape' AS SELECT 1 AS x",
        "DROP VIEW runs",
        "CACHE TABLE runs",
        "SET spark.sql.shuffle.partitions=1",
        "ADD JAR /tmp/x.jar",
        "EXPLAIN INSERT INTO runs SELECT * FROM runs",
        "EXECUTE IMMEDIATE 'INSERT INTO runs SELECT * FROM runs'"
      })
  void refusesStatementsThatAreNotQueries(String statement) {
    long runs =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("runs")
            .count();
    CliRun run = CliRun.of("sql", "--results", store, String.format(statement, store, dir));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.USAGE);
    assertThat(run.errorLine())
        .startsWith("deltascope: error: sql runs queries only (SELECT, WITH, SHOW, DESCRIBE,");
    assertThat(
            new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
                .table("runs")
                .count())
        .isEqualTo(runs);
    assertThat(
            new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
                .table("tensor_metrics")
                .count())
        .isGreaterThan(0);
    assertThat(dir.resolve("escape")).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT reflect('java.lang.System', 'exit', '7')",
        "SELECT java_method('java.lang.System', 'getProperty', 'user.home')",
        "SELECT TRY_REFLECT('java.lang.System', 'getProperty', 'user.home')",
        "WITH x AS (SELECT reflect('java.lang.Thread', 'dumpStack') AS y) SELECT * FROM x",
        "SELECT * FROM runs WHERE EXISTS (SELECT java_method('java.lang.Runtime', 'getRuntime'))",
        "SELECT IDENTIFIER('java_method')('java.lang.System', 'getProperty', 'user.home')"
      })
  void refusesFunctionsThatCallJava(String query) {
    CliRun run = CliRun.of("sql", "--results", store, query);
    assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.USAGE);
    assertThat(run.errorLine()).contains("which calls Java methods");
    assertThat(run.out()).isEmpty();
  }

  /**
   * {@code %1$s} is a program's proof that it ran, {@code %2$s} a file outside the store: no
   * program runs and no file but the store's is read, wherever the query puts them.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT TRANSFORM(run_id) USING 'touch %1$s' AS (out string) FROM runs",
        "WITH t AS (SELECT TRANSFORM(run_id) USING 'touch %1$s' AS (out string) FROM runs)"
            + " SELECT * FROM t",
        "SELECT * FROM runs WHERE run_id IN (SELECT TRANSFORM(run_id) USING 'touch %1$s' FROM runs)",
        "FROM runs MAP run_id USING 'touch %1$s' AS x",
        "FROM runs REDUCE run_id USING 'touch %1$s' AS x",
        "EXPLAIN SELECT TRANSFORM(run_id) USING 'touch %1$s' FROM runs",
        "SELECT * FROM text.`%2$s`",
        "SELECT * FROM binaryFile.`%2$s`",
        "SELECT * FROM csv.`%2$s`",
        "SELECT * FROM json.`%2$s`",
        "SELECT * FROM parquet.`%2$s`",
        "SELECT * FROM delta.`%2$s`",
        "WITH t AS (SELECT * FROM text.`%2$s`) SELECT * FROM t",
        "SELECT * FROM runs WHERE EXISTS (SELECT * FROM text.`%2$s`)",
        "SELECT * FROM runs r JOIN LATERAL (SELECT * FROM text.`%2$s`) s",
        "SELECT * FROM IDENTIFIER('text.`%2$s`')",
        "DESCRIBE QUERY SELECT * FROM csv.`%2$s`",
        "DESCRIBE text.`%2$s`",
        "DESCRIBE HISTORY '%2$s'",
        "SELECT * FROM read_files('%2$s')",
        "SELECT * FROM table_changes('runs', 0)",
        "SELECT * FROM spark_catalog.default.runs",
        "SELECT * FROM global_temp.runs"
      })
  void refusesProgramsAndFilesOutsideTheStore(String query) throws Exception {
    Path ran = dir.resolve("ran");
    Path secret = Files.writeString(dir.resolve("secret.txt"), "secret-line\n");
    CliRun run = CliRun.of("sql", "--results", store, String.format(query, ran, secret));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.USAGE);
    assertThat(run.errorLine()).matches("deltascope: error: sql (runs queries|reads the store).*");
    assertThat(run.err().lines().filter(l -> l.startsWith("deltascope: error:"))).hasSize(1);
    assertThat(run.out()).isEmpty();
    assertThat(ran).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT count(*) FROM runs",
        "WITH t AS (SELECT * FROM tensor_metrics) SELECT count(*) FROM t",
        "SHOW VIEWS",
        "DESCRIBE runs",
        "EXPLAIN SELECT * FROM runs",
        "VALUES (1)",
        "SELECT count(*) FROM runs WHERE run_id IN (SELECT run_id FROM tensor_metrics)",
        "SELECT count(*) FROM IDENTIFIER('run' || 's')",
        "DESCRIBE IDENTIFIER('runs')",
        "SHOW TABLES",
        "SHOW COLUMNS IN runs",
        "DESCRIBE QUERY SELECT * FROM runs",
        "DESCRIBE FUNCTION reflect",
        "SELECT * FROM range(3)",
        "SELECT * FROM explode(array(1, 2))",
        "SELECT run_id, x FROM runs LATERAL VIEW explode(array(1)) t AS x",
        "SELECT count(*) FROM runs VERSION AS OF 0",
        "SELECT count(*) FROM delta.`%s/tensor_metrics`",
        "SELECT run_id FROM runs |> WHERE run_id = 'sft'",
        "SELECT run_id, count(*) OVER w FROM runs WINDOW w AS (PARTITION BY run_id)",
        "SELECT * FROM VALUES (1, 2) AS t(a, b) UNPIVOT (v FOR k IN (a, b))"
      })
  void runsQueries(String query) {
    CliRun run = CliRun.of("sql", "--results", store, String.format(query, store));
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  /** sql makes views only of the tables a query reads: every one where it cannot tell which. */
  @Test
  void aQueryNamesTheTablesItReads() throws Exception {
    var parser = TestSpark.session().sessionState().sqlParser();
    java.util.function.Function<String, java.util.Optional<java.util.Set<String>>> read =
        query -> {
          try {
            return ReadOnlyQuery.tablesRead(parser.parsePlan(query));
          } catch (org.apache.spark.sql.catalyst.parser.ParseException e) {
            throw new AssertionError(e);
          }
        };
    assertThat(
            read.apply(
                "WITH t AS (SELECT * FROM Tensor_Metrics) SELECT * FROM t"
                    + " WHERE run_id IN (SELECT run_id FROM runs)"))
        .contains(java.util.Set.of("tensor_metrics", "runs", "t"));
    assertThat(read.apply("EXPLAIN SELECT * FROM spectra JOIN delta.`/x/runs` USING (run_id)"))
        .contains(java.util.Set.of("spectra"));
    assertThat(read.apply("SELECT 1")).contains(java.util.Set.of());
    assertThat(read.apply("SHOW VIEWS")).isEmpty();
    assertThat(read.apply("DESCRIBE runs")).isEmpty();
  }

  @Test
  void aSyntaxErrorShowsSparksMessage() {
    CliRun run = CliRun.of("sql", "--results", store, "SELEC name FROM runs");
    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.errorLine())
        .startsWith("deltascope: error: query: [PARSE_SYNTAX_ERROR] Syntax error at or near");
  }

  @Test
  void aTruncatedResultSaysSoOnStderrAndInJson() throws Exception {
    CliRun run =
        CliRun.of(
            "sql",
            "--results",
            store,
            "--max-rows",
            "5",
            "--format",
            "json",
            "SELECT tensor FROM tensor_metrics");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("showing the first 5 rows of more (--max-rows)");
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertThat(json.get("rows")).hasSize(5);
    assertThat(json.get("truncated").asBoolean()).isTrue();

    CliRun whole =
        CliRun.of("sql", "--results", store, "--format", "json", "SELECT count(*) AS n FROM runs");
    assertThat(whole.err()).doesNotContain("--max-rows");
    assertThat(new ObjectMapper().readTree(whole.out()).get("truncated").asBoolean()).isFalse();
    assertThat(Files.exists(dir.resolve("escape"))).isFalse();
  }
}
