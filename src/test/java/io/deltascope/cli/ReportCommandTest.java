package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.report.html.FullSpectra;
import io.deltascope.report.html.ReportDocuments;
import io.deltascope.report.html.StoredReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deltascope report, and -o FILE.html of weight-diff; the page itself is tested in Chromium. */
class ReportCommandTest {
  @TempDir Path dir;

  private static final String BASE = Fixtures.model("llama-base").toString();
  private static final String RESIZED = Fixtures.model("llama-sft-resized").toString();

  @BeforeAll
  static void spark() {
    TestSpark.session();
  }

  @Test
  void rebuildsTheCommandsDocumentFromTheResultsStore() throws Exception {
    // the resized pair: a reshaped embedding and head with metrics on their common rows
    Path json = dir.resolve("direct.json");
    String store = dir.resolve("store").toString();
    CliRun run =
        CliRun.of(
            "weight-diff",
            "-b",
            BASE,
            "-f",
            RESIZED,
            "-o",
            json.toString(),
            "--results",
            store,
            "--run-id",
            "resized");
    assertThat(run.exitCode()).as(run.err()).isZero();

    ReportDocuments docs = StoredReport.load(TestSpark.session(), store, "resized");
    JsonNode direct = Fixtures.json(json);
    // reparsed: numbers as the file has them (int nodes, not the long nodes of the tree)
    JsonNode rebuilt = reparse(docs.weightDiff());
    // the report's copy carries every singular value (from the store's spectra table) beside the
    // top k the JSON has; without them it is the command's document
    int full = 0;
    for (JsonNode t : rebuilt.get("tensors")) {
      JsonNode all = ((ObjectNode) t).remove(FullSpectra.FIELD);
      JsonNode top = t.get("singular_values_top");
      if (top != null && top.isArray()) {
        for (int i = 0; i < top.size(); i++) {
          assertThat(all.get(i)).isEqualTo(top.get(i));
        }
        assertThat(all.size())
            .isEqualTo(Math.min(t.get("shape").get(0).asInt(), t.get("shape").get(1).asInt()));
        full++;
      }
    }
    assertThat(full).isPositive();
    for (JsonNode c : rebuilt.get("structural").get("shape_changed")) {
      assertThat(((ObjectNode) c.get("metrics_on_common_rows")).remove(FullSpectra.FIELD))
          .isNotNull();
    }
    assertThat(direct.get("structural").get("shape_changed")).isNotEmpty();
    for (String field :
        new String[] {"base", "finetuned", "tool_version", "tensors", "layers", "summary"}) {
      assertThat(rebuilt.get(field)).as(field).isEqualTo(direct.get(field));
    }
    ObjectNode structural = direct.get("structural").deepCopy();
    structural.putArray("tied"); // not stored in tensor_metrics
    assertThat(rebuilt.get("structural")).isEqualTo(structural);
    assertThat(docs.date()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC");

    Path html = dir.resolve("report.html");
    CliRun report =
        CliRun.of("report", "--results", store, "--run", "resized", "-o", html.toString());
    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(report.out()).isEqualTo("Report: " + html + "\n");
    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("<section id=\"structural\">");
    // one table row per reshaped tensor, with the common-rows note
    assertThat(page.split("<tr class=\"change-reshaped\">", -1))
        .hasSize(direct.get("structural").get("shape_changed").size() + 1);
    assertThat(page).contains("compared on the 1,024 common rows");
    // the reshaped head is in the heatmap with its metrics over the common rows (the oracle's)
    java.util.regex.Matcher cell =
        java.util.regex.Pattern.compile("data-tensor=\"lm_head.weight\" data-value=\"([^\"]+)\"")
            .matcher(page);
    assertThat(cell.find()).isTrue();
    assertThat(Double.parseDouble(cell.group(1)))
        .isCloseTo(
            Fixtures.pairOracle("llama-base", "llama-sft-resized")
                .get("shape_changed")
                .get(0)
                .get("metrics_on_common_rows")
                .get("relative_delta")
                .asDouble(),
            org.assertj.core.api.Assertions.within(1e-12));
  }

  @Test
  void aStoredRunsReportCarriesTheDiagnosisTheCommandMade() throws Exception {
    // llama vs qwen2 is unrelated only once the configs are read: the tensor rows alone cannot say
    Path json = dir.resolve("unrelated.json");
    String store = dir.resolve("store-unrelated").toString();
    CliRun run =
        CliRun.of(
            "weight-diff",
            "-b",
            Fixtures.model("llama-sft").toString(),
            "-f",
            Fixtures.model("qwen2-sft").toString(),
            "-o",
            json.toString(),
            "--results",
            store,
            "--run-id",
            "unrelated",
            "--no-spectra");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode direct = Fixtures.json(json).get("diagnosis");
    assertThat(direct.get("kind").asText()).isEqualTo("unrelated");
    JsonNode rebuilt =
        StoredReport.load(TestSpark.session(), store, "unrelated").weightDiff().get("diagnosis");
    assertThat(reparse(rebuilt)).isEqualTo(direct);
  }

  private static JsonNode reparse(JsonNode tree) throws Exception {
    return io.deltascope.report.JsonReport.MAPPER.readTree(tree.toString());
  }

  @Test
  void anUnknownRunIsOneLineNamingTheRunsThere() throws Exception {
    String store = dir.resolve("store").toString();
    assertThat(
            CliRun.of(
                    "weight-diff", "-b", BASE, "-f", RESIZED, "--results", store, "--run-id", "r1")
                .exitCode())
        .isZero();
    Path html = dir.resolve("r.html");
    CliRun run = CliRun.of("report", "--results", store, "--run", "nope", "-o", html.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine())
        .isEqualTo("deltascope: error: " + store + ": no run 'nope' (runs there: r1)");
    assertThat(run.err()).doesNotContain("\tat ");
    assertThat(html).doesNotExist();
  }

  @Test
  void aFolderThatIsNoStoreIsOneLine() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    CliRun run =
        CliRun.of(
            "report",
            "--results",
            empty.toString(),
            "--run",
            "r1",
            "-o",
            dir.resolve("r.html").toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errorLine())
        .isEqualTo(
            "deltascope: error: "
                + empty
                + ": not a deltascope results store (no _deltascope.json)");
  }

  @Test
  void outputsOtherThanJsonOrHtmlAreRefusedBeforeAnyWork() {
    CliRun report =
        CliRun.of(
            "report",
            "--results",
            dir.toString(),
            "--run",
            "r1",
            "-o",
            dir.resolve("r.txt").toString());
    assertThat(report.exitCode()).isEqualTo(Main.USAGE);
    assertThat(report.errorLine())
        .endsWith("r.txt: the report is an HTML file (expected a .html name)");
    CliRun diff =
        CliRun.of(
            "weight-diff", "-b", BASE, "-f", RESIZED, "-o", dir.resolve("out.txt").toString());
    assertThat(diff.exitCode()).isEqualTo(Main.USAGE);
    assertThat(diff.errorLine())
        .endsWith("out.txt: unknown output format (expected a .json or .html file name)");
    assertThat(diff.out()).isEmpty();
  }
}
