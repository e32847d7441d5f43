package io.deltascope.report.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.cli.Main;
import io.deltascope.model.OracleLogitDiff;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTML report in a real browser: headless Chromium, started once, loads reports generated from
 * the fixtures and the tests read the DOM. Screenshots land in target/html-report/.
 */
class HtmlReportBrowserTest {
  static final Path OUT = Path.of("target", "html-report").toAbsolutePath();
  static final String BASE = Fixtures.model("llama-base").toString();
  static final String SFT = Fixtures.model("llama-sft").toString();
  static final JsonNode ORACLE = Fixtures.pairOracle("llama-base", "llama-sft");
  static final double LM_HEAD_RELATIVE_DELTA = 0.09719049573710863;
  static final String RUN_ID = "html-browser-test";

  static Chromium chromium;
  static Path profile;
  static Path commandReport; // weight-diff -o llama.html
  static Path commandJson; // weight-diff -o llama.json: what the page embeds
  static Path storedReport; // report --results --run
  static Path fullReport; // every section
  Page page;

  @BeforeAll
  static void reportsAndBrowser() throws Exception {
    Files.createDirectories(OUT);
    profile = Files.createTempDirectory(OUT, "chromium-profile-"); // fresh each run
    chromium = Chromium.start(profile); // fails, saying to run submit/test, when not installed
    TestSpark.session(); // the commands join the shared session
    commandReport = OUT.resolve("llama-base__llama-sft.html");
    Path json = OUT.resolve("llama-base__llama-sft.json");
    commandJson = json;
    Path store = OUT.resolve("results");
    cli(
        "weight-diff",
        "-b",
        BASE,
        "-f",
        SFT,
        "-o",
        commandReport.toString(),
        "--results",
        store.toString(),
        "--run-id",
        RUN_ID);
    cli("weight-diff", "-b", BASE, "-f", SFT, "-o", json.toString());
    storedReport = OUT.resolve("stored.html");
    cli("report", "--results", store.toString(), "--run", RUN_ID, "-o", storedReport.toString());
    fullReport = OUT.resolve("full.html");
    ObjectNode weightDiff = ReportTestDocuments.withSpectraAndDiagnosis(Fixtures.json(json));
    Files.writeString(
        fullReport,
        HtmlReport.render(
            new ReportDocuments(
                weightDiff,
                ReportTestDocuments.activation(),
                ReportTestDocuments.compare(),
                "2026-01-02 03:04 UTC")));
  }

  private static void cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertThat(code).as("deltascope %s: %s", String.join(" ", args), err).isZero();
  }

  @AfterAll
  static void closeBrowser() throws java.io.IOException {
    if (chromium != null) {
      chromium.close();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @BeforeEach
  void newTab() {
    page = chromium.open(1280, 900);
  }

  @AfterEach
  void closeTab() {
    chromium.call(null, "Target.closeTarget", Chromium.obj().put("targetId", page.target()));
  }

  @Test
  void theCommandsReportShowsEachWeightDiffSectionWithTheOraclesValues() throws Exception {
    assertThat(Files.size(commandReport)).isLessThan(2_000_000);
    load(commandReport);

    assertThat(texts("main > section", "id"))
        .containsExactly(
            "heatmaps", "layers", "top-tensors", "structural", "spectra", "provenance");
    assertThat(page.eval("document.querySelector('.model-base .name').textContent").asText())
        .isEqualTo("llama-base");
    assertThat(page.eval("document.querySelector('.model-base .path').textContent").asText())
        .isEqualTo(BASE);
    assertThat(page.eval("document.querySelector('.model-finetuned .path').textContent").asText())
        .isEqualTo(SFT);
    assertThat(page.eval("document.querySelector('.tensors-compared .value').textContent").asText())
        .isEqualTo("39 of 39");
    // the card's totals: the oracle's largest max |B - A| and sqrt(sum l2^2), as the card rounds
    double maxAbs = 0;
    double l2Squared = 0;
    for (JsonNode t : ORACLE.get("tensors")) {
      maxAbs = Math.max(maxAbs, t.get("max_abs_diff").asDouble());
      l2Squared += t.get("l2_distance").asDouble() * t.get("l2_distance").asDouble();
    }
    assertThat(page.eval("document.querySelector('.max-abs-diff .value').textContent").asText())
        .isEqualTo(Numbers.num(maxAbs));
    assertThat(
            page.eval("document.querySelector('.total-l2-distance .value').textContent").asText())
        .isEqualTo(Numbers.num(Math.sqrt(l2Squared)));
    assertThat(page.eval("document.querySelectorAll('#summary .figure.total').length").asInt())
        .isEqualTo(5);
    assertThat(page.eval("document.querySelector('.date dd').textContent").asText())
        .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC");

    // the heatmap cell of lm_head holds the oracle's value and shows it rounded
    String cell = "figure[data-metric=relative_delta] td.cell[data-tensor='lm_head.weight']";
    assertThat(page.eval("+document.querySelector(\"" + cell + "\").dataset.value").asDouble())
        .isCloseTo(LM_HEAD_RELATIVE_DELTA, within(1e-12));
    assertThat(page.eval("document.querySelector(\"" + cell + "\").textContent").asText())
        .isEqualTo("0.0972");
    // every cell of both heatmaps: one tensor each, the oracle's value
    for (String metric : List.of("relative_delta", "cosine")) {
      Map<String, Double> cells = cellValues(metric);
      assertThat(cells).as(metric).hasSize(ORACLE.get("tensors").size());
      cells.forEach(
          (name, v) ->
              assertThat(v)
                  .as(metric + " of " + name)
                  .isCloseTo(
                      ORACLE.get("tensors").get(name).get(metric).asDouble(), within(1e-12)));
    }
    assertThat(count("figure[data-metric=relative_delta] tbody tr"))
        .isEqualTo(5); // 4 layers, outside
    // weight-diff computes spectra: effective rank, top-k energy and numerical rank heatmaps
    assertThat(count("figure.heatmap")).isEqualTo(5);
    assertThat(count("figure.heatmap .scale")).isEqualTo(5);
    assertFullSpectraAndRankFloors(Fixtures.json(OUT.resolve("llama-base__llama-sft.json")));

    // the layer bars: sqrt(sum l2^2) / sqrt(sum ||A||^2) over each layer, from the oracle
    Map<Integer, double[]> sums = new TreeMap<>();
    Pattern layer = Pattern.compile("^model\\.layers\\.(\\d+)\\.");
    for (Iterator<Map.Entry<String, JsonNode>> it = ORACLE.get("tensors").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Matcher m = layer.matcher(e.getKey());
      if (m.find()) {
        double[] s = sums.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new double[2]);
        s[0] += Math.pow(e.getValue().get("l2_distance").asDouble(), 2);
        s[1] += Math.pow(e.getValue().get("norm_a").asDouble(), 2);
      }
    }
    JsonNode bars =
        page.eval(
            "[...document.querySelectorAll('#layers rect.bar')].map(b => [+b.dataset.layer, +b.dataset.value])");
    assertThat(bars).hasSize(4);
    for (JsonNode b : bars) {
      double[] s = sums.get(b.get(0).asInt());
      assertThat(b.get(1).asDouble()).isCloseTo(Math.sqrt(s[0] / s[1]), within(1e-12));
    }

    // the table: every tensor, the largest relative change first
    JsonNode rows =
        page.eval(
            "[...document.querySelectorAll('#top-tensors tbody tr')].map(r => r.dataset.tensor)");
    assertThat(rows).hasSize(ORACLE.get("tensors").size());
    List<String> expected = new ArrayList<>();
    ORACLE.get("tensors").fields().forEachRemaining(e -> expected.add(e.getKey()));
    expected.sort((a, b) -> Double.compare(relativeDelta(b), relativeDelta(a)));
    List<String> shown = new ArrayList<>();
    rows.forEach(r -> shown.add(r.asText()));
    assertThat(shown).containsExactlyElementsOf(expected);

    assertThat(page.eval("document.querySelector('#structural .none').textContent").asText())
        .startsWith("No structural changes");
    assertThat(count("#structural table")).isZero();
    assertSelfContainedAndQuiet(commandReport);
    for (String section :
        List.of("summary", "heatmaps", "layers", "top-tensors", "structural", "spectra")) {
      page.screenshot("#" + section, OUT.resolve("screenshots/weight-diff-" + section + ".png"));
    }
  }

  @Test
  void hoveringAHeatmapCellShowsItsTensorAndExactValue() throws Exception {
    load(commandReport);
    assertThat(page.eval("document.getElementById('tip').hidden").asBoolean()).isTrue();
    page.hover("figure[data-metric=relative_delta] td.cell[data-tensor='lm_head.weight']");
    assertThat(page.eval("document.getElementById('tip').hidden").asBoolean()).isFalse();
    String tip = page.eval("document.getElementById('tip').textContent").asText();
    assertThat(tip).contains("lm_head.weight").contains("relative change: 0.0971905");
    JsonNode box =
        page.eval(
            "(() => { const b = document.getElementById('tip').getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom, innerWidth, innerHeight]; })()");
    assertThat(box.get(0).asDouble()).isGreaterThanOrEqualTo(0);
    assertThat(box.get(2).asDouble()).isLessThanOrEqualTo(box.get(4).asDouble());
    assertThat(box.get(3).asDouble()).isLessThanOrEqualTo(box.get(5).asDouble());
    Files.createDirectories(OUT.resolve("screenshots"));
    Files.write(
        OUT.resolve("screenshots/tooltip.png"),
        java.util.Base64.getDecoder()
            .decode(
                page.call("Page.captureScreenshot", Chromium.obj().put("format", "png"))
                    .get("data")
                    .asText()));

    page.hover("#layers rect.bar[data-layer='2']");
    assertThat(page.eval("document.getElementById('tip').textContent").asText())
        .startsWith("Layer 2\nrelative change: ");
    page.hover("h1");
    assertThat(page.eval("document.getElementById('tip').hidden").asBoolean()).isTrue();
    assertSelfContainedAndQuiet(commandReport);
  }

  @Test
  void clickingAColumnHeaderSortsTheTopTensorsTable() throws Exception {
    load(commandReport);
    String header = "#top-tensors thead th:nth-child(8)"; // Cosine
    assertThat(page.eval("document.querySelector('" + header + "').textContent").asText())
        .isEqualTo("Cosine");
    page.click(header);
    List<Double> descending = column(8);
    assertThat(descending).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    assertThat(
            page.eval("document.querySelector('" + header + "').getAttribute('aria-sort')")
                .asText())
        .isEqualTo("descending");
    page.click(header);
    List<Double> ascending = column(8);
    int all = ORACLE.get("tensors").size();
    assertThat(ascending).isSorted().hasSize(all);
    assertThat(ascending.get(0)).isEqualTo(descending.get(all - 1));
    page.click("#top-tensors thead th:nth-child(2)"); // Tensor, by name
    JsonNode names =
        page.eval(
            "[...document.querySelectorAll('#top-tensors tbody tr')].map(r => r.dataset.tensor)");
    List<String> sorted = new ArrayList<>();
    names.forEach(n -> sorted.add(n.asText()));
    assertThat(sorted).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertSelfContainedAndQuiet(commandReport);
  }

  @Test
  void theReportRebuiltFromTheResultsStoreShowsTheSameValues() throws Exception {
    load(storedReport);
    assertThat(texts("main > section", "id"))
        .containsExactly(
            "heatmaps", "layers", "top-tensors", "structural", "spectra", "provenance");
    for (String metric : List.of("relative_delta", "cosine")) {
      Map<String, Double> cells = cellValues(metric);
      assertThat(cells).hasSize(ORACLE.get("tensors").size());
      cells.forEach(
          (name, v) ->
              assertThat(v)
                  .isCloseTo(
                      ORACLE.get("tensors").get(name).get(metric).asDouble(), within(1e-12)));
    }
    assertThat(page.eval("document.querySelector('.tensors-compared .value').textContent").asText())
        .isEqualTo("39 of 39");
    // the store's spectra table gives the chart every value, as the command's page has them
    assertFullSpectraAndRankFloors(Fixtures.json(OUT.resolve("llama-base__llama-sft.json")));
    // provenance: the report command that built the page, then the command that made the run
    assertThat(texts("#provenance h3", "textContent"))
        .containsExactly("This report", "The stored run");
    assertThat(
            page.eval("document.querySelector('#provenance .command-line dd').textContent")
                .asText())
        .startsWith("deltascope report --results ");
    assertThat(
            page.eval("document.querySelector('#provenance .stored-run .command dd').textContent")
                .asText())
        .isEqualTo("deltascope weight-diff");
    assertThat(texts("#provenance .stored-run .options li", "textContent"))
        .contains("structure_only false", "spectra true");
    assertThat(
            page.eval("document.querySelector('#provenance .stored-run .run-id dd').textContent")
                .asText())
        .isEqualTo(RUN_ID);
    assertThat(
            page.eval("document.querySelector('#provenance .stored-run .version dd').textContent")
                .asText())
        .isEqualTo(io.deltascope.report.Version.get());
    assertSelfContainedAndQuiet(storedReport);
  }

  @Test
  void theFullReportShowsSpectraDiagnosisActivationAndCompareSections() throws Exception {
    assertThat(Files.size(fullReport)).isLessThan(2_000_000);
    load(fullReport);
    assertThat(texts("main > section", "id"))
        .containsExactly(
            "heatmaps",
            "layers",
            "top-tensors",
            "structural",
            "spectra",
            "activation",
            "compare",
            "provenance");
    assertThat(texts("nav a", "textContent")).hasSize(8);

    // diagnosis, with its hostile title shown as text
    assertThat(page.eval("document.querySelector('.diagnosis .profile').textContent").asText())
        .isEqualTo("heavy");
    assertThat(count(".findings .finding")).isEqualTo(2);
    assertThat(page.eval("document.querySelector('.finding .title').textContent").asText())
        .isEqualTo(ReportTestDocuments.HOSTILE_TITLE);

    // spectra: rank heatmaps, the six most changed tensors' curves on a log scale, the table
    assertThat(texts("figure.heatmap", "dataset.metric"))
        .containsExactly(
            "relative_delta", "cosine", "effective_rank", "top_k_energy_share", "numerical_rank");
    JsonNode lm = ORACLE.get("tensors").get("lm_head.weight");
    assertThat(
            page.eval(
                    "+document.querySelector(\"figure[data-metric=effective_rank] td.cell[data-tensor='lm_head.weight']\").dataset.value")
                .asDouble())
        .isCloseTo(lm.get("effective_rank_entropy").asDouble(), within(1e-12));
    int withSpectrum = 0;
    for (JsonNode t : ORACLE.get("tensors")) {
      withSpectrum += t.path("singular_values").size() > 0 ? 1 : 0;
    }
    assertThat(count("figure[data-metric=effective_rank] td.cell:not(.empty)"))
        .isEqualTo(withSpectrum);
    assertThat(count(".spectra-chart g.series")).isEqualTo(6);
    assertThat(
            page.eval(
                    "[...document.querySelectorAll('.spectra-chart g.series')].map(g => g.querySelectorAll('.pt').length)")
                .toString())
        .isEqualTo("[20,20,20,20,20,20]");
    assertThat(page.eval("document.querySelector('.spectra-chart').textContent").asText())
        .contains("(log scale)");
    assertThat(texts(".spectra-chart g.series", "dataset.label").get(0))
        .isEqualTo("model.layers.1.self_attn.o_proj.weight");
    assertThat(count(".spectra-table tbody tr")).isEqualTo(withSpectrum);

    // activation: a line per prompt and the average; divergence above 0.1 marked
    ObjectNode activation = ReportTestDocuments.activation();
    int prompts = activation.get("prompts").size();
    int diverged = 0;
    for (JsonNode p : activation.get("prompts")) {
      for (JsonNode c : p.get("cosine_last_token")) {
        diverged += 1 - c.asDouble() > 0.1 ? 1 : 0;
      }
    }
    int divergedLayers = 0;
    for (JsonNode l : activation.get("layers")) {
      divergedLayers += l.get("divergence").asDouble() > 0.1 ? 1 : 0;
    }
    assertThat(divergedLayers).isEqualTo(2); // the oracle: layers 3 and 4 (0.117, 0.213)
    assertThat(count(".activation-chart g.series")).isEqualTo(prompts + 1);
    assertThat(count(".activation-chart .mark.diverged")).isEqualTo(diverged + divergedLayers);
    assertThat(count(".activation-layers tbody tr")).isEqualTo(5);
    assertThat(count(".activation-layers tbody tr.diverged")).isEqualTo(divergedLayers);
    assertThat(texts(".prompts q.prompt", "textContent"))
        .contains(ReportTestDocuments.HOSTILE_PROMPT);

    // compare: a logit-lens grid per model, layers 0..4 and the final row, 10 tokens each
    assertThat(count("figure.lens")).isEqualTo(2);
    assertThat(
            page.eval(
                    "[...document.querySelectorAll('table.lens-grid')].map(t => t.tBodies[0].rows.length)")
                .toString())
        .isEqualTo("[6,6]");
    assertThat(count("table.lens-grid tbody tr:first-child td.tok-cell")).isEqualTo(20);
    JsonNode firstBase =
        Fixtures.json(Fixtures.root().resolve("expected/llama-base.trace.json"))
            .get("prompts")
            .get(0)
            .get("logit_lens_last_position")
            .get(1);
    String cell = "figure.lens:first-child tbody tr:nth-child(2) td:nth-of-type(1)";
    assertThat(page.eval("document.querySelector('" + cell + "').dataset.tokenId").asInt())
        .isEqualTo(firstBase.get("top_ids").get(0).asInt());
    assertThat(page.eval("+document.querySelector('" + cell + "').dataset.prob").asDouble())
        .isEqualTo(firstBase.get("top_probs").get(0).asDouble());
    assertThat(page.eval("document.querySelector('" + cell + " .tok').textContent").asText())
        .isEqualTo("\u2423not");
    assertThat(page.eval("document.querySelector('" + cell + " .p').textContent").asText())
        .isEqualTo("19.2%"); // 0.1920204
    String hostile = "figure.lens:nth-child(2) tbody tr:first-child td:nth-of-type(1) .tok";
    assertThat(page.eval("document.querySelector('" + hostile + "').textContent").asText())
        .isEqualTo(ReportTestDocuments.HOSTILE_TOKEN);
    // nothing from the documents became markup
    assertThat(count("main b, main img, header b")).isZero();
    assertThat(page.eval("document.scripts.length").asInt()).isEqualTo(1);

    // tracked tokens: a line per model and token; " a" emerges at layer 3 (the output of the last
    // block) in the base, 0 in the fine-tune
    assertThat(count(".tracked-chart g.series")).isEqualTo(8);
    assertThat(count(".tracked-chart .mark.emergence")).isEqualTo(2);
    assertThat(count("table.tracked tbody tr")).isEqualTo(8);
    assertThat(texts("table.tracked td.emergence", "textContent"))
        .contains("layer 0", "layer 3", "never top-1");
    // layers as every command numbers them: the embeddings first, as "embed"
    assertThat(texts("table.lens-grid tbody tr:first-child th", "textContent"))
        .containsOnly("embed");
    assertThat(texts(".activation-layers tbody td:first-child", "textContent"))
        .containsExactly("embed", "0", "1", "2", "3");
    assertSelfContainedAndQuiet(fullReport);
    for (String section : List.of("summary", "heatmaps", "spectra", "activation", "compare")) {
      page.screenshot("#" + section, OUT.resolve("screenshots/full-" + section + ".png"));
    }
    page.hover(".tracked-chart .mark.emergence");
    assertThat(page.eval("document.getElementById('tip').textContent").asText())
        .contains("\u201c a\u201d")
        .contains("emerges here");
    assertSelfContainedAndQuiet(fullReport);
  }

  @Test
  void theLogitDiffReportShowsTheOraclesFiguresHistogramAndTopPositions() throws Exception {
    Path report = OUT.resolve("logit-diff.html");
    cli(
        "logit-diff",
        "-b",
        BASE,
        "-f",
        SFT,
        "-p",
        "The answer is,def parse(text):",
        "-o",
        report.toString());
    List<OracleLogitDiff.Position> positions = new ArrayList<>();
    positions.addAll(OracleLogitDiff.positions("llama-base", "llama-sft", 0));
    positions.addAll(OracleLogitDiff.positions("llama-base", "llama-sft", 2));
    double mean =
        positions.stream().mapToDouble(OracleLogitDiff.Position::kl).average().orElseThrow();
    double agree =
        positions.stream().filter(p -> p.top1Base() == p.top1Finetuned()).count()
            / (double) positions.size();
    load(report);
    assertThat(texts("main > section", "id")).containsExactly("logit-diff", "provenance");
    assertThat(
            Double.parseDouble(
                page.eval("document.querySelector('.kl-mean .value').textContent").asText()))
        .isCloseTo(mean, within(1e-3 * mean));
    assertThat(page.eval("document.querySelector('.top1 .value').textContent").asText())
        .isEqualTo(Numbers.percent(agree));
    assertThat(
            page.eval(
                    "[...document.querySelectorAll('.kl-histogram rect.bar')]"
                        + ".reduce((s, r) => s + +r.dataset.count, 0)")
                .asInt())
        .isEqualTo(positions.size());
    assertThat(count(".logit-prompts tbody tr")).isEqualTo(2);
    assertThat(count(".logit-top tbody tr")).isEqualTo(Math.min(10, positions.size()));
    assertThat(count(".logit-top tbody tr:first-child ol.base li")).isEqualTo(5);
    assertThat(count(".logit-top tbody tr:first-child ol.finetuned li")).isEqualTo(5);
    page.hover(".kl-histogram rect.bar[data-count]:not([data-count='0'])");
    assertThat(page.eval("document.getElementById('tip').textContent").asText())
        .contains("KL")
        .contains("positions");
    page.screenshot("#logit-diff", OUT.resolve("screenshots/logit-diff.png"));
    assertSelfContainedAndQuiet(report);
  }

  @Test
  void theReportFitsANarrowScreenWithoutSidewaysScrollingOfThePage() throws Exception {
    page.resize(390, 844);
    load(fullReport);
    assertThat(page.eval("document.documentElement.scrollWidth").asInt()).isLessThanOrEqualTo(390);
    // wide tables scroll inside their own box
    JsonNode boxes =
        page.eval(
            "[...document.querySelectorAll('.scroll')].map(s => s.getBoundingClientRect().right)");
    boxes.forEach(b -> assertThat(b.asDouble()).isLessThanOrEqualTo(390));
    assertSelfContainedAndQuiet(fullReport);
    page.screenshot("#summary", OUT.resolve("screenshots/narrow-summary.png"));
    page.screenshot("#heatmaps", OUT.resolve("screenshots/narrow-heatmaps.png"));
  }

  @Test
  void aColourScaleWhoseRangeIsBelowDisplayPrecisionPaintsOneColour() throws Exception {
    // the LoRA pair's top-k energy shares all print as 1 (they differ below 1e-14)
    Path lora = OUT.resolve("llama-base__llama-lora-merged.html");
    cli(
        "weight-diff",
        "-b",
        BASE,
        "-f",
        Fixtures.model("llama-lora-merged").toString(),
        "-o",
        lora.toString());
    load(lora);
    String figure = "figure[data-metric=top_k_energy_share]";
    JsonNode backgrounds =
        page.eval(
            "[...new Set([...document.querySelectorAll('"
                + figure
                + " td.cell:not(.empty)')].map(c => c.style.background))]");
    assertThat(count(figure + " td.cell:not(.empty)")).isEqualTo(8); // the tensors LoRA changed
    assertThat(backgrounds).hasSize(1);
    assertThat(page.eval("document.querySelector('" + figure + " .scale').textContent").asText())
        .isEqualTo("all 1");
    // a scale with a range still spreads its colours
    JsonNode spread =
        page.eval(
            "new Set([...document.querySelectorAll('figure[data-metric=relative_delta]"
                + " td.cell:not(.empty)')].map(c => c.style.background)).size");
    assertThat(spread.asInt()).isGreaterThan(5);
    assertSelfContainedAndQuiet(lora);
    page.screenshot(
        "figure[data-metric=top_k_energy_share]", OUT.resolve("screenshots/flat-scale.png"));
  }

  @Test
  void aQuantizedSideGetsTheQuantizationViewWithTheOraclesDrift() throws Exception {
    Path q4 = Fixtures.root().resolve("gguf").resolve("llama-sft.q4_0.gguf");
    Path report = OUT.resolve("llama-sft__q4_0.html");
    cli("weight-diff", "-b", SFT, "-f", q4.toString(), "-o", report.toString());
    load(report);
    assertThat(texts("main > section", "id").get(0)).isEqualTo("quantization");
    // as the terminal: 582.2 KiB, 4.53 bits per weight (566,784 bytes of tensor data)
    assertThat(
            page.eval("document.querySelector('#quantization .bpw .value').textContent").asText())
        .isEqualTo("4.53");
    JsonNode oracle = Fixtures.json(Path.of(q4 + ".json")).get("tensors");
    long params = 0;
    for (JsonNode t : oracle) {
      long n = 1;
      for (JsonNode d : t.get("hf_shape")) {
        n *= d.asLong();
      }
      params += n;
    }
    assertThat(page.eval("+document.querySelector('#quantization .bpw').dataset.value").asDouble())
        .isEqualTo(8.0 * 566_784 / params);
    assertThat(
            page.eval("document.querySelector('#quantization .file-size .value').textContent")
                .asText())
        .isEqualTo("582.2 KiB");
    // drift by layer: each component's row holds its one tensor's drift, as the oracle has it
    Map<List<Object>, JsonNode> drift = new HashMap<>();
    for (JsonNode t : oracle) {
      io.deltascope.checkpoint.TensorRole role =
          io.deltascope.checkpoint.TensorRole.of(t.get("hf_name").asText(), "");
      drift.put(Heatmaps.key(role.layer(), role.component()), t.get("drift_from_source"));
    }
    JsonNode rows =
        page.eval(
            "[...document.querySelectorAll('table.quant-layers tbody tr')].map(r => ["
                + " r.dataset.layer, r.dataset.component,"
                + " ...[...r.querySelectorAll('td.num')].slice(1).map(c => +c.dataset.v)])");
    assertThat(rows).hasSize(oracle.size());
    for (JsonNode r : rows) {
      Integer layer = r.get(0).asText().isEmpty() ? null : r.get(0).asInt();
      JsonNode d = drift.get(Heatmaps.key(layer, r.get(1).asText()));
      String what = layer + " " + r.get(1).asText();
      for (String[] c : new String[][] {{"2", "relative_delta"}, {"3", "rmse"}, {"4", "cosine"}}) {
        double expected = d.get(c[1]).asDouble();
        assertThat(r.get(Integer.parseInt(c[0])).asDouble())
            .as(what + " " + c[1])
            .isCloseTo(expected, within(1e-9 * Math.max(1e-12, Math.abs(expected))));
      }
    }
    // a line per quantized component inside the layers; the F32 norms, unchanged, named instead
    assertThat(count(".quant-chart g.series")).isEqualTo(7);
    assertThat(
            page.eval("document.querySelector('#quantization .quant-exact').textContent").asText())
        .contains("norm_attn, norm_mlp");
    // the worst tensors: the largest drifts, largest first
    List<String> expected = ReportTestDocuments.byDrift(Fixtures.json(Path.of(q4 + ".json")));
    assertThat(texts("table.quant-worst tbody tr", "dataset.tensor"))
        .containsExactlyElementsOf(expected.subList(0, 20));
    assertThat(texts("table.quant-worst tbody td.type", "textContent"))
        .containsOnly("BF16 \u2192 Q4_0"); // the F32 norms are stored exactly
    page.screenshot("#quantization", OUT.resolve("screenshots/quantization.png"));
    assertSelfContainedAndQuiet(report);
  }

  @Test
  void aReaderWhoPrefersDarkGetsTheDarkScheme() throws Exception {
    load(fullReport);
    String background = "getComputedStyle(document.body).backgroundColor";
    assertThat(page.eval(background).asText()).isEqualTo("rgb(255, 255, 255)");
    page.preferDark();
    assertThat(page.eval(background).asText()).isEqualTo("rgb(22, 22, 26)");
    assertThat(page.eval("getComputedStyle(document.body).color").asText())
        .isEqualTo("rgb(230, 230, 234)");
    assertSelfContainedAndQuiet(fullReport);
    page.screenshot("#heatmaps", OUT.resolve("screenshots/dark-heatmaps.png"));
  }

  @Test
  void tensorNamesSortNaturallyLayerTwoBeforeLayerTen() throws Exception {
    // a 12-layer synthetic pair: lexically "layers.10" would sort before "layers.2"
    Path models = OUT.resolve("twelve-layers");
    io.deltascope.synth.SyntheticTrajectory.write(
        new io.deltascope.synth.ModelShape(
            "twelve", "llama", 12, 32, 64, 4, 2, 64, false, false, 10000.0, 1e-5, 64),
        models,
        io.deltascope.synth.SyntheticTrajectory.Options.uniform(1, 2e-3, 3, 1L << 30));
    Path report = OUT.resolve("twelve-layers.html");
    cli(
        "weight-diff",
        "-b",
        models.resolve("step-0").toString(),
        "-f",
        models.resolve("step-1").toString(),
        "--no-spectra",
        "-o",
        report.toString());
    load(report);
    page.click("#top-tensors th:nth-child(2)"); // Tensor: descending first
    List<Integer> layers = new ArrayList<>();
    for (String name : texts("#top-tensors tbody tr", "dataset.tensor")) {
      Matcher m = Pattern.compile("layers\\.(\\d+)\\.").matcher(name);
      if (m.find()) {
        layers.add(Integer.parseInt(m.group(1)));
      }
    }
    assertThat(layers).anyMatch(l -> l < 10).anyMatch(l -> l >= 10);
    assertThat(layers).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertSelfContainedAndQuiet(report);
  }

  /**
   * The spectra chart draws every singular value of the six most changed deltas (the oracle's), on
   * log-log axes, each with the floor the JSON counted its numerical rank against; the
   * numerical-rank heatmap holds, per tensor, the oracle's values above that floor.
   */
  private void assertFullSpectraAndRankFloors(JsonNode json) {
    Map<String, JsonNode> byName = new HashMap<>();
    json.get("tensors").forEach(t -> byName.put(t.get("name").asText(), t));
    JsonNode series =
        page.eval(
            "[...document.querySelectorAll('.spectra-chart g.series')].map(g => [g.dataset.label,"
                + " g.querySelectorAll('.pt').length, g.dataset.values.split(' ').map(Number),"
                + " +g.querySelector('line.level').dataset.y])");
    assertThat(series).hasSize(6);
    for (JsonNode g : series) {
      String name = g.get(0).asText();
      JsonNode expected = ORACLE.get("tensors").get(name).get("singular_values");
      assertThat(g.get(1).asInt()).as(name).isEqualTo(expected.size()); // not the top 20
      assertThat(g.get(2)).as(name).hasSize(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertThat(g.get(2).get(i).asDouble())
            .as(name + " s" + i)
            .isCloseTo(expected.get(i).asDouble(), within(1e-6 * expected.get(0).asDouble()));
      }
      assertThat(g.get(3).asDouble()).isEqualTo(byName.get(name).get("rank_floor").asDouble());
    }
    assertThat(texts(".spectra-chart .axis-label", "textContent"))
        .allMatch(label -> label.endsWith("(log scale)"));
    Map<String, Double> ranks = cellValues("numerical_rank");
    assertThat(ranks).hasSize(30); // every matrix
    ranks.forEach(
        (name, rank) -> {
          double floor = byName.get(name).get("rank_floor").asDouble();
          assertThat(rank).as(name).isEqualTo((double) ReportTestDocuments.aboveFloor(name, floor));
        });
  }

  @Test
  void theCompleteTableFiltersAndDownloadsAndTheLayoutFitsDesktopAndPhone() throws Exception {
    page.resize(1600, 900);
    load(commandReport);
    int all = ORACLE.get("tensors").size();

    // provenance: how the page was made, so a reader can run it again
    assertThat(
            page.eval("document.querySelector('#provenance .command-line dd').textContent")
                .asText())
        .startsWith("deltascope weight-diff -b " + BASE + " -f " + SFT + " -o ")
        .endsWith("--run-id " + RUN_ID);
    assertThat(texts("#provenance .options li", "textContent"))
        .contains(
            "--output " + commandReport,
            "--run-id " + RUN_ID,
            "--results " + OUT.resolve("results"));
    assertThat(page.eval("document.querySelector('#provenance .run-id dd').textContent").asText())
        .isEqualTo(RUN_ID);
    assertThat(page.eval("document.querySelector('#provenance .version dd').textContent").asText())
        .isEqualTo(io.deltascope.report.Version.get());
    assertThat(page.eval("document.querySelector('#provenance .host dd').textContent").asText())
        .isEqualTo(java.net.InetAddress.getLocalHost().getHostName());
    assertThat(page.eval("document.querySelector('#provenance .date dd').textContent").asText())
        .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC");
    // a page the command wrote as it ran has no stored run to describe
    assertThat(page.eval("!!document.querySelector('#provenance .stored-run')").asBoolean())
        .isFalse();

    // the filter: every term in the name or component; the count says how many are left
    page.click("#top-tensors input.table-filter");
    page.call("Input.insertText", Chromium.obj().put("text", "layers.1. _PROJ"));
    page.waitFor(
        "!document.querySelector('#top-tensors .filter-count').textContent.startsWith('"
            + all
            + " of')");
    List<String> visible = texts("#top-tensors tbody tr:not([hidden])", "dataset.tensor");
    List<String> expected = new ArrayList<>();
    ORACLE
        .get("tensors")
        .fieldNames()
        .forEachRemaining(
            n -> {
              if (n.contains("layers.1.") && n.contains("_proj")) {
                expected.add(n);
              }
            });
    assertThat(visible).hasSize(7).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(
            page.eval("document.querySelector('#top-tensors .filter-count').textContent").asText())
        .isEqualTo("7 of " + all + " tensors");

    // the CSV: every row (the filter aside) with the exact values the JSON document holds
    Path downloads = Files.createTempDirectory(OUT, "downloads-");
    chromium.call(
        null,
        "Browser.setDownloadBehavior",
        Chromium.obj().put("behavior", "allow").put("downloadPath", downloads.toString()));
    page.click("#top-tensors button.csv-download");
    Path csv = downloads.resolve("tensors.csv");
    for (int i = 0; i < 200 && !Files.exists(csv); i++) {
      Thread.sleep(50);
    }
    List<String> lines = Files.readAllLines(csv);
    List<String> header = List.of(lines.get(0).split(","));
    assertThat(header)
        .startsWith("name", "layer", "component", "shape", "n_params", "relative_delta");
    assertThat(lines).hasSize(all + 1);
    Map<String, JsonNode> byName = new HashMap<>();
    Fixtures.json(commandJson).get("tensors").forEach(t -> byName.put(t.get("name").asText(), t));
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      JsonNode t = byName.remove(cells[0]);
      assertThat(t).as(cells[0]).isNotNull();
      List<String> dims = new ArrayList<>();
      t.get("shape").forEach(d -> dims.add(d.asText()));
      assertThat(cells[3]).isEqualTo(String.join("x", dims));
      for (int c = 4; c < header.size(); c++) {
        JsonNode v = t.get(header.get(c));
        assertThat(cells[c])
            .as(cells[0] + " " + header.get(c))
            .isEqualTo(
                v == null || !v.isNumber()
                    ? ""
                    : header.get(c).equals("n_params")
                        ? v.asText()
                        : Double.toString(v.asDouble()));
      }
    }
    assertThat(byName).isEmpty();

    // a desktop: the sections take the width beside the navigation, the charts grow with them
    assertThat(page.eval("document.documentElement.scrollWidth").asInt())
        .isLessThanOrEqualTo(page.eval("innerWidth").asInt());
    JsonNode main =
        page.eval(
            "(() => { const b = document.querySelector('main').getBoundingClientRect(); return [b.left, b.right]; })()");
    assertThat(main.get(0).asDouble()).isLessThan(260);
    assertThat(main.get(1).asDouble()).isGreaterThan(1560);
    assertThat(
            page.eval("document.querySelector('#layers svg').getBoundingClientRect().width")
                .asDouble())
        .isGreaterThan(1000);

    // a phone: nothing wider than the screen, the chart type no smaller than 9 px
    page.resize(420, 844);
    assertThat(page.eval("document.documentElement.scrollWidth").asInt()).isLessThanOrEqualTo(420);
    page.eval("document.querySelector('#provenance').scrollIntoView()");
    assertThat(
            page.eval("document.querySelector('#provenance').getBoundingClientRect().right")
                .asDouble())
        .isLessThanOrEqualTo(420);
    JsonNode scales =
        page.eval(
            "[...document.querySelectorAll('.chart > svg')].map(s => s.getBoundingClientRect().width / s.viewBox.baseVal.width)");
    assertThat(scales).isNotEmpty();
    scales.forEach(x -> assertThat(11 * x.asDouble()).isGreaterThanOrEqualTo(9));

    // dark: the table's tools follow the scheme too
    page.preferDark();
    assertThat(
            page.eval("getComputedStyle(document.querySelector('.table-filter')).backgroundColor")
                .asText())
        .isEqualTo("rgb(22, 22, 26)");
    assertThat(
            page.eval("getComputedStyle(document.querySelector('#provenance dd')).color").asText())
        .isEqualTo("rgb(230, 230, 234)");
    assertThat(page.requests())
        .allMatch(u -> u.equals(commandReport.toUri().toString()) || u.startsWith("blob:file"));
    assertThat(page.problems()).isEmpty();
    page.screenshot("#provenance", OUT.resolve("screenshots/provenance.png"));
  }

  @Test
  void theActivationPageNamesItsTwoModels() throws Exception {
    ObjectNode doc = ReportTestDocuments.activation();
    doc.put("base", BASE).put("finetuned", SFT);
    Path report = OUT.resolve("activation.html");
    Files.writeString(report, HtmlReport.render(ReportDocuments.activation(doc)));
    load(report);
    assertThat(page.eval("document.title").asText())
        .isEqualTo("deltascope: llama-base vs llama-sft");
    assertThat(page.eval("document.querySelector('.model-base .name').textContent").asText())
        .isEqualTo("llama-base");
    assertThat(page.eval("document.querySelector('.model-finetuned .path').textContent").asText())
        .isEqualTo(SFT);
    assertThat(page.eval("document.querySelector('#activation p.models').textContent").asText())
        .isEqualTo("llama-base (base) vs llama-sft (fine-tuned)");
    assertSelfContainedAndQuiet(report);
  }

  private void load(Path report) throws InterruptedException {
    page.load(report);
  }

  /** Only the report file itself was requested, and nothing complained. */
  private void assertSelfContainedAndQuiet(Path report) {
    assertThat(page.requests()).containsOnly(report.toUri().toString());
    assertThat(page.problems()).isEmpty();
  }

  private Map<String, Double> cellValues(String metric) {
    JsonNode cells =
        page.eval(
            "[...document.querySelectorAll('figure[data-metric="
                + metric
                + "] td.cell:not(.empty)')].map(c => [c.dataset.tensor, +c.dataset.value])");
    Map<String, Double> out = new HashMap<>();
    cells.forEach(c -> out.put(c.get(0).asText(), c.get(1).asDouble()));
    assertThat(out).hasSize(cells.size()); // one cell per tensor
    return out;
  }

  private List<Double> column(int n) {
    JsonNode v =
        page.eval(
            "[...document.querySelectorAll('#top-tensors tbody tr td:nth-child("
                + n
                + ")')].map(c => +c.dataset.v)");
    List<Double> out = new ArrayList<>();
    v.forEach(x -> out.add(x.asDouble()));
    return out;
  }

  private int count(String selector) {
    return page.eval("document.querySelectorAll(" + Page.quote(selector) + ").length").asInt();
  }

  /** A property of each element matching {@code selector} ("id", "dataset.metric", ...). */
  private List<String> texts(String selector, String property) {
    JsonNode v =
        page.eval(
            "[...document.querySelectorAll("
                + Page.quote(selector)
                + ")].map(e => String(e."
                + property
                + "))");
    List<String> out = new ArrayList<>();
    v.forEach(x -> out.add(x.asText()));
    return out;
  }

  private static double relativeDelta(String name) {
    return ORACLE.get("tensors").get(name).get("relative_delta").asDouble();
  }
}
