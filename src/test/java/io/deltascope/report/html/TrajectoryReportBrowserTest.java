package io.deltascope.report.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trajectory page and the batch overview in headless Chromium: the charts' and heatmaps' values
 * against the trajectory's JSON, links to each pair, nothing requested, nothing logged.
 */
class TrajectoryReportBrowserTest {
  static final Path OUT = Path.of("target", "html-report", "trajectory").toAbsolutePath();
  static final List<String> MODELS =
      List.of("llama-base", "llama-sft", "llama-lora-merged", "llama-sft-resized");
  static final Path Q4 = Fixtures.root().resolve("gguf").resolve("llama-sft.q4_0.gguf");

  static BrowserSession browser;
  static JsonNode json;
  static Path commandReport; // trajectory -o x.html
  static Path storedReport; // report --results --batch (a trajectory)
  static Path batchReport; // report --results --batch (a batch with a failed pair)
  static Path quantizedReport; // trajectory -o x.html from a model to its q4_0 GGUF
  Page page;

  @BeforeAll
  static void reportsAndBrowser() throws Exception {
    browser = BrowserSession.start(OUT);
    TestSpark.session();
    String list = String.join(",", MODELS.stream().map(m -> Fixtures.model(m).toString()).toList());
    Path store = OUT.resolve("results");
    Path jsonFile = OUT.resolve("trajectory.json");
    cli(
        "trajectory",
        "--checkpoints",
        list,
        "-o",
        jsonFile.toString(),
        "--results",
        store.toString(),
        "--run-id",
        "traj");
    json = Fixtures.json(jsonFile);
    commandReport = OUT.resolve("trajectory.html");
    cli("trajectory", "--checkpoints", list, "-o", commandReport.toString());
    quantizedReport = OUT.resolve("quantized-trajectory.html");
    cli(
        "trajectory",
        "--checkpoints",
        Fixtures.model("llama-sft") + "," + Q4,
        "-o",
        quantizedReport.toString());
    storedReport = OUT.resolve("stored-trajectory.html");
    cli("report", "--results", store.toString(), "--batch", "traj", "-o", storedReport.toString());
    Path pairs =
        Files.writeString(
            OUT.resolve("pairs.csv"),
            "sft,"
                + Fixtures.model("llama-base")
                + ","
                + Fixtures.model("llama-sft")
                + "\n"
                + "broken,"
                + Fixtures.model("llama-base")
                + ","
                + OUT.resolve("no-such-model")
                + "\n");
    run("batch", "--pairs", pairs.toString(), "--results", store.toString(), "--run-id", "nightly");
    batchReport = OUT.resolve("batch.html");
    cli(
        "report",
        "--results",
        store.toString(),
        "--batch",
        "nightly",
        "-o",
        batchReport.toString());
  }

  private static void cli(String... args) {
    assertThat(run(args)).as("deltascope %s", String.join(" ", args)).isZero();
  }

  private static int run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    if (code != 0 && code != Main.SOME_PAIRS_FAILED) {
      throw new AssertionError("deltascope " + String.join(" ", args) + ": " + err);
    }
    return code;
  }

  @AfterAll
  static void closeBrowser() throws java.io.IOException {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeEach
  void newTab() {
    page = browser.open(1280, 900);
  }

  @AfterEach
  void closeTab() {
    browser.close(page);
  }

  @Test
  void theTrajectoryPageHasItsSectionsAndLinksEveryPairToItsSection() throws Exception {
    page.load(commandReport);
    assertThat(strings("[...document.querySelectorAll('main > section')].map(s => s.id)"))
        .containsExactly("overview", "over-steps", "steps-heatmap", "pairs", "provenance");
    assertThat(
            strings("[...document.querySelectorAll('ol.checkpoints li')].map(l => l.textContent)"))
        .containsExactlyElementsOf(MODELS.stream().map(m -> Fixtures.model(m).toString()).toList());
    List<String> links =
        strings(
            "[...document.querySelectorAll('.pairs-table tbody a')].map(a => a.getAttribute('href'))");
    assertThat(links)
        .containsExactly("#pair-0-1", "#pair-1-2", "#pair-2-3", "#pair-0-2", "#pair-0-3");
    for (String link : links) {
      assertThat(page.eval("!!document.querySelector('" + link + "')").asBoolean())
          .as(link)
          .isTrue();
    }
    // the overview's headline numbers are the JSON's
    JsonNode first = json.get("pairs").get(0);
    assertThat(
            page.eval("+document.querySelector('tr[data-pair=\"0-1\"] td:nth-child(5)').dataset.v")
                .asDouble())
        .isEqualTo(first.get("summary").get("mean_relative_delta").asDouble());
    // each pair's diagnosis kind, as the JSON has it
    List<String> kinds = new ArrayList<>();
    json.get("pairs").forEach(p -> kinds.add(p.get("diagnosis").get("kind").asText()));
    assertThat(
            strings(
                "[...document.querySelectorAll('.pairs-table td.diagnosis-kind')].map(c => c.dataset.v)"))
        .containsExactlyElementsOf(kinds);
    // each pair's section lists its 10 most changed tensors, the JSON's names and values
    List<Map.Entry<String, Double>> expectedTop = new ArrayList<>();
    for (JsonNode p : json.get("pairs")) {
      mostChanged(p)
          .forEach(
              e ->
                  expectedTop.add(
                      Map.entry(p.get("name").asText() + " " + e.getKey(), e.getValue())));
    }
    assertThat(expectedTop).hasSize(10 * json.get("pairs").size());
    assertThat(topTables()).containsExactlyElementsOf(expectedTop);
    // no side is a GGUF file: no quantization view
    assertThat(page.eval("!!document.querySelector('#pairs .quantization')").asBoolean()).isFalse();
    // provenance: the command as typed; nothing stored, so no run id
    assertThat(
            page.eval("document.querySelector('#provenance .command-line dd').textContent")
                .asText())
        .startsWith("deltascope trajectory --checkpoints ");
    assertThat(page.eval("!!document.querySelector('#provenance .run-id')").asBoolean()).isFalse();
    assertSelfContainedAndQuiet(commandReport);
    page.screenshot("#overview", OUT.resolve("screenshots/overview.png"));
    page.screenshot("#steps-heatmap", OUT.resolve("screenshots/steps-heatmap.png"));
  }

  @Test
  void everyChartPointIsTheJsonsValueForItsLayerComponentAndCheckpoint() throws Exception {
    page.load(commandReport);
    List<Map.Entry<String, Double>> drawn = chartPoints();
    List<Map.Entry<String, Double>> expected = new ArrayList<>();
    for (String metric : List.of("relative_delta", "cosine", "effective_rank")) {
      for (int layer = 0; layer < 4; layer++) {
        for (String view : List.of("cumulative", "consecutive")) {
          for (JsonNode p : json.get("pairs")) {
            int from = p.get("from").asInt();
            int to = p.get("to").asInt();
            boolean inView = view.equals("cumulative") ? from == 0 : to == from + 1;
            if (!inView) {
              continue;
            }
            for (JsonNode c : p.get("by_component")) {
              if (c.get("layer").asInt() == layer && c.get(metric).isNumber()) {
                expected.add(
                    Map.entry(
                        metric
                            + " "
                            + layer
                            + " "
                            + view
                            + " "
                            + c.get("component").asText()
                            + " "
                            + to,
                        c.get(metric).asDouble()));
              }
            }
          }
        }
      }
    }
    assertThat(expected).hasSizeGreaterThan(3 * 4 * 5 * 7);
    assertThat(drawn).containsExactlyInAnyOrderElementsOf(expected);
    assertSelfContainedAndQuiet(commandReport);
    page.screenshot("#over-steps", OUT.resolve("screenshots/over-steps.png"));
  }

  @Test
  void everyHeatmapCellIsItsLayersRelativeChangeInThatPair() throws Exception {
    page.load(commandReport);
    List<Map.Entry<String, Double>> drawn =
        keyed(
            "[...document.querySelectorAll('#steps-heatmap td.cell:not(.empty)')].map(c =>"
                + " [c.closest('[data-view]').dataset.view + ' ' + c.dataset.pair + ' ' +"
                + " c.dataset.layer, +c.dataset.value])");
    List<Map.Entry<String, Double>> expected = new ArrayList<>();
    for (JsonNode p : json.get("pairs")) {
      int from = p.get("from").asInt();
      int to = p.get("to").asInt();
      for (JsonNode l : p.get("by_layer")) {
        String cell = p.get("name").asText() + " " + l.get("layer").asInt();
        double value = l.get("relative_delta").asDouble();
        if (from == 0) {
          expected.add(Map.entry("cumulative " + cell, value));
        }
        if (to == from + 1) {
          expected.add(Map.entry("consecutive " + cell, value));
        }
      }
    }
    assertThat(drawn).hasSize(6 * 4).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void theStoredTrajectoryDrawsTheSamePoints() throws Exception {
    page.load(commandReport);
    List<Map.Entry<String, Double>> fromCommand = chartPoints();
    page.load(storedReport);
    assertThat(chartPoints()).containsExactlyElementsOf(fromCommand);
    assertThat(
            page.eval("document.querySelector('#provenance .command-line dd').textContent")
                .asText())
        .startsWith("deltascope report --results ");
    assertThat(page.eval("document.querySelector('#provenance .run-id dd').textContent").asText())
        .isEqualTo("traj");
    // and the command that made the stored batch, with the options it stored
    assertThat(strings("[...document.querySelectorAll('#provenance h3')].map(h => h.textContent)"))
        .containsExactly("This report", "The stored batch");
    assertThat(
            page.eval("document.querySelector('#provenance .stored-run .command dd').textContent")
                .asText())
        .isEqualTo("deltascope trajectory");
    assertThat(
            strings(
                "[...document.querySelectorAll('#provenance .stored-run .options li')].map(l =>"
                    + " l.textContent)"))
        .contains(
            "checkpoints "
                + String.join(",", MODELS.stream().map(m -> Fixtures.model(m).toString()).toList()),
            "spectra true");
    assertThat(
            page.eval("document.querySelector('#provenance .stored-run .batch-id dd').textContent")
                .asText())
        .isEqualTo("traj");
    assertThat(page.eval("!!document.querySelector('#provenance .stored-run .run-id')").asBoolean())
        .isFalse();
    assertSelfContainedAndQuiet(storedReport);
  }

  @Test
  void aBatchOverviewHasOneRowPerPairAndItsFailure() throws Exception {
    page.load(batchReport);
    assertThat(strings("[...document.querySelectorAll('main > section')].map(s => s.id)"))
        .containsExactly("overview", "pairs", "provenance");
    assertThat(
            strings(
                "[...document.querySelectorAll('.pairs-table tbody tr')].map(r => r.dataset.pair)"))
        .containsExactly("broken", "sft");
    assertThat(
            page.eval("document.querySelector('tr[data-pair=broken] td.failed').textContent")
                .asText())
        .contains("no-such-model: no such file or folder");
    assertThat(
            page.eval("document.querySelector('tr[data-pair=sft] td:nth-child(4)').textContent")
                .asText())
        .isNotBlank();
    // the diagnosis kind the batch stored with the pair, not only its profile
    assertThat(
            page.eval("document.querySelector('tr[data-pair=sft] td.diagnosis-kind').textContent")
                .asText())
        .isEqualTo("fine tune");
    // the pair's 10 most changed tensors, against the oracle's numbers
    List<Map.Entry<String, Double>> oracle = new ArrayList<>();
    Fixtures.pairOracle("llama-base", "llama-sft")
        .get("tensors")
        .fields()
        .forEachRemaining(
            e ->
                oracle.add(
                    Map.entry("sft " + e.getKey(), e.getValue().get("relative_delta").asDouble())));
    oracle.sort(Map.Entry.<String, Double>comparingByValue().reversed());
    List<Map.Entry<String, Double>> drawn = topTables();
    assertThat(drawn).hasSize(10);
    for (int i = 0; i < drawn.size(); i++) {
      assertThat(drawn.get(i).getKey()).isEqualTo(oracle.get(i).getKey());
      assertThat(drawn.get(i).getValue()).isCloseTo(oracle.get(i).getValue(), within(1e-12));
    }
    assertSelfContainedAndQuiet(batchReport);
  }

  @Test
  void aPairWithAGgufSideHasTheQuantizationViewInItsSection() throws Exception {
    page.load(quantizedReport);
    String view = "#pairs article.pair .quantization";
    assertThat(page.eval("document.querySelectorAll('" + view + "').length").asInt()).isEqualTo(1);
    // as the pair's own page and the terminal: 4.53 bits per weight, 582.2 KiB
    assertThat(page.eval("document.querySelector('" + view + " .bpw .value').textContent").asText())
        .isEqualTo("4.53");
    assertThat(
            page.eval("document.querySelector('" + view + " .file-size .value').textContent")
                .asText())
        .isEqualTo("582.2 KiB");
    // the worst tensors: the oracle's largest drifts, largest first
    List<String> worst =
        strings(
            "[...document.querySelectorAll('"
                + view
                + " table.quant-worst tbody tr')].map(r => r.dataset.tensor)");
    assertThat(worst)
        .containsExactlyElementsOf(
            ReportTestDocuments.byDrift(Fixtures.json(Path.of(Q4 + ".json"))).subList(0, 20));
    assertSelfContainedAndQuiet(quantizedReport);
    page.screenshot(view, OUT.resolve("screenshots/pair-quantization.png"));
  }

  @Test
  void theTrajectoryPageFitsANarrowScreen() throws Exception {
    page.resize(420, 844);
    page.load(commandReport);
    assertThat(page.eval("document.documentElement.scrollWidth").asInt()).isLessThanOrEqualTo(420);
    // the charts keep their 11-unit type at 9 px or more, scrolling inside their own box
    JsonNode scales =
        page.eval(
            "[...document.querySelectorAll('.chart > svg')].map(s => s.getBoundingClientRect().width / s.viewBox.baseVal.width)");
    assertThat(scales).isNotEmpty();
    scales.forEach(x -> assertThat(11 * x.asDouble()).isGreaterThanOrEqualTo(9));
    assertThat(
            strings(
                "[...document.querySelectorAll('.chart')].map(c => String(c.getBoundingClientRect().right))"))
        .allMatch(r -> Double.parseDouble(r) <= 420);
    assertSelfContainedAndQuiet(commandReport);
    page.screenshot("#over-steps", OUT.resolve("screenshots/narrow-over-steps.png"));
  }

  /**
   * Each pair section's most changed tensors: "pair tensor" with its relative change, in page
   * order.
   */
  private List<Map.Entry<String, Double>> topTables() {
    return keyed(
        "[...document.querySelectorAll('#pairs article.pair')].flatMap(a => {"
            + " const cols = [...a.querySelectorAll('table.tensors thead th')].map(t => t.dataset.col);"
            + " const i = cols.indexOf('relative_delta');"
            + " return [...a.querySelectorAll('table.tensors tbody tr')].map(r =>"
            + " [a.id.replace(/^pair-/, '') + ' ' + r.dataset.tensor, +r.children[i].dataset.v]); })");
  }

  /**
   * A pair's 10 largest relative changes from its JSON: the compared tensors, then the reshaped
   * ones on their common rows, largest first (ties in JSON order).
   */
  private static List<Map.Entry<String, Double>> mostChanged(JsonNode pair) {
    List<Map.Entry<String, Double>> all = new ArrayList<>();
    pair.get("tensors").forEach(t -> add(all, t.get("name"), t));
    pair.get("structural")
        .get("shape_changed")
        .forEach(c -> add(all, c.get("name"), c.get("metrics_on_common_rows")));
    all.sort(Map.Entry.<String, Double>comparingByValue().reversed());
    return all.subList(0, Math.min(10, all.size()));
  }

  private static void add(List<Map.Entry<String, Double>> out, JsonNode name, JsonNode metrics) {
    if (metrics != null && metrics.path("relative_delta").isNumber()) {
      out.add(Map.entry(name.asText(), metrics.get("relative_delta").asDouble()));
    }
  }

  /** Every chart point: "metric layer view component x" with its y, in page order. */
  private List<Map.Entry<String, Double>> chartPoints() {
    return keyed(
        "[...document.querySelectorAll('.side-by-side[data-metric] circle.pt')].map(c => {"
            + " const box = c.closest('.side-by-side'); const view = c.closest('.view');"
            + " return [box.dataset.metric + ' ' + box.dataset.layer + ' ' + view.dataset.view"
            + " + ' ' + c.closest('g.series').dataset.label + ' ' + (+c.dataset.x),"
            + " +c.dataset.y]; })");
  }

  /** [key, number] pairs the page evaluates to, the numbers exactly as JSON carries them. */
  private List<Map.Entry<String, Double>> keyed(String js) {
    List<Map.Entry<String, Double>> out = new ArrayList<>();
    page.eval(js).forEach(x -> out.add(Map.entry(x.get(0).asText(), x.get(1).asDouble())));
    return out;
  }

  private void assertSelfContainedAndQuiet(Path report) {
    assertThat(page.requests()).containsOnly(report.toUri().toString());
    assertThat(page.problems()).isEmpty();
  }

  private List<String> strings(String js) {
    List<String> out = new ArrayList<>();
    page.eval(js).forEach(x -> out.add(x.asText()));
    return out;
  }
}
