package io.deltascope.report.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The page as text, without a browser: escaping, number formats, sections by document. */
class HtmlReportTest {

  @Test
  void escapesEveryCharacterThatCouldOpenMarkupOrCloseAnAttribute() {
    assertThat(Html.esc("<b a='1' b=\"2\">&amp;</b>"))
        .isEqualTo("&lt;b a=&#39;1&#39; b=&quot;2&quot;&gt;&amp;amp;&lt;/b&gt;");
    assertThat(Html.esc("a\u0000b\u0007c\td\ne")).isEqualTo("a\uFFFDb\uFFFDc\td\ne");
    assertThat(Html.esc("\ud83d\ude00 \ud83d")).isEqualTo("\ud83d\ude00 \uFFFD");
    assertThat(Html.esc(null)).isEmpty();
  }

  @Test
  void showsTokensWithTheirWhitespaceVisible() {
    assertThat(Html.token(" a\n\t<")).isEqualTo("\u2423a\u21b5\u2192&lt;");
    assertThat(Html.token("")).isEqualTo("\u2205");
  }

  @Test
  void formatsNumbersForPeople() {
    assertThat(Numbers.num(0.09719049573710863)).isEqualTo("0.09719");
    assertThat(Numbers.sig(0.09719049573710863, 3)).isEqualTo("0.0972");
    assertThat(Numbers.exact(0.09719049573710863)).isEqualTo("0.0971905");
    assertThat(Numbers.num(1.0)).isEqualTo("1");
    assertThat(Numbers.num(84.08964885552581)).isEqualTo("84.09");
    assertThat(Numbers.num(1.48e-5)).isEqualTo("1.48e-5");
    assertThat(Numbers.num(-0.25)).isEqualTo("\u22120.25");
    assertThat(Numbers.num(2.5e7)).isEqualTo("2.5e7");
    assertThat(Numbers.num(null)).isEqualTo("\u2013");
    assertThat(Numbers.num(Double.NaN)).isEqualTo("\u2013");
    assertThat(Numbers.count(1234567)).isEqualTo("1,234,567");
    assertThat(Numbers.params(131072)).isEqualTo("131k");
    assertThat(Numbers.params(6_738_415_616L)).isEqualTo("6.74B");
    assertThat(Numbers.params(8192)).isEqualTo("8,192");
    assertThat(Numbers.percent(0.1920204)).isEqualTo("19.2%");
    assertThat(Numbers.percent(7.2e-7)).isEqualTo("<0.01%");
  }

  @Test
  void viridisRunsFromDarkPurpleToYellow() {
    assertThat(Viridis.at(0)).isEqualTo("#440154");
    assertThat(Viridis.at(1)).isEqualTo("#fde725");
    assertThat(Viridis.at(2)).isEqualTo("#fde725");
    assertThat(Viridis.at(0.5)).isEqualTo("#21908d");
  }

  @Test
  void eachSectionAppearsOnlyWhenItsDocumentIsThere() {
    String activation =
        HtmlReport.render(ReportDocuments.activation(ReportTestDocuments.activation()));
    assertThat(activation)
        .contains("<section id=\"activation\"")
        .doesNotContain("<section id=\"heatmaps\"")
        .doesNotContain("<section id=\"compare\"");
    String compare = HtmlReport.render(ReportDocuments.compare(ReportTestDocuments.compare()));
    assertThat(compare)
        .contains("<section id=\"compare\"")
        .doesNotContain("<section id=\"activation\"");
    assertThat(compare).contains("<title>deltascope: llama-base vs llama-sft</title>");
  }

  @Test
  void theTensorTableHasTheRegistrysColumnsAndTheCardTheHeadlineMean() {
    io.deltascope.diff.WeightDiffResult result =
        io.deltascope.diff.LocalDiff.of("llama-base", "llama-sft");
    String page =
        HtmlReport.render(
            ReportDocuments.weightDiff(io.deltascope.report.JsonReport.weightDiff(result)));
    String table = page.substring(page.indexOf("<table class=\"tensors sortable\">"));
    table = table.substring(0, table.indexOf("</thead>"));
    StringBuilder headers = new StringBuilder();
    for (io.deltascope.results.Metric m : io.deltascope.results.Metric.TABLE) {
      headers.append(TensorTable.th(m.label(), "num", m.column()));
    }
    assertThat(table).endsWith(TensorTable.th("Params", "num", "n_params") + headers + "</tr>");
    // the one headline mean, 0.083361 over the 30 matrices, not 0.0653 over every tensor
    assertThat(page)
        .contains(
            "<span class=\"value\">0.08336</span><span class=\"label\">mean relative change of"
                + " the weight matrices</span>");
  }

  @Test
  void theCardShowsTheSummaryTotalsTheTerminalAndJsonHave() {
    io.deltascope.diff.WeightDiffResult result =
        io.deltascope.diff.LocalDiff.of("llama-base", "llama-sft");
    com.fasterxml.jackson.databind.node.ObjectNode json =
        io.deltascope.report.JsonReport.weightDiff(result);
    String page = HtmlReport.render(ReportDocuments.weightDiff(json));
    String card = page.substring(page.indexOf("<div class=\"figures\">"));
    card = card.substring(0, card.indexOf("</header>"));
    for (io.deltascope.diff.Summary.Total t : io.deltascope.diff.Summary.Total.values()) {
      Double value = t.of(result.summary());
      assertThat(value).as(t.key()).isNotNull();
      assertThat(json.get("summary").get(t.key()).asDouble()).isEqualTo(value);
      assertThat(card)
          .contains(
              "<div class=\"figure total "
                  + t.key().replace('_', '-')
                  + "\"><span class=\"value\">"
                  + Numbers.num(value)
                  + "</span><span class=\"label\">"
                  + t.label()
                  + "</span></div>");
    }
  }

  @Test
  void theLogitDiffSectionEscapesPromptsAndTokensAndShowsItsModels() {
    var doc = io.deltascope.report.JsonReport.MAPPER.createObjectNode();
    doc.put("base", "/m/llama-base");
    doc.put("finetuned", "/m/llama-sft");
    doc.putObject("summary").put("kl_mean", 0.25).put("top1_agreement", 0.5).put("positions", 4);
    var top = doc.putArray("top_positions").addObject();
    top.put("prompt", ReportTestDocuments.HOSTILE_PROMPT);
    top.put("token", ReportTestDocuments.HOSTILE_TOKEN);
    top.putNull("next_token");
    top.put("kl", 0.5);
    top.putArray("base").addObject().put("token", ReportTestDocuments.HOSTILE_TOKEN).put("prob", 1);
    top.putArray("finetuned");
    String page = HtmlReport.render(ReportDocuments.logitDiff(doc));
    assertThat(page)
        .contains("<section id=\"logit-diff\"")
        .contains("<title>deltascope: llama-base vs llama-sft</title>")
        .doesNotContain("<img")
        .doesNotContain("<b>")
        .contains("&lt;img src=x")
        .contains("(end)");
  }

  @Test
  void noStringFromADocumentReachesThePageUnescaped() {
    String page =
        HtmlReport.render(
            new ReportDocuments(
                null, ReportTestDocuments.activation(), ReportTestDocuments.compare(), "today"));
    assertThat(page)
        .doesNotContain("<img")
        .doesNotContain("<b>")
        .contains("&lt;img src=x onerror=&quot;console.error(&#39;xss&#39;)&quot;&gt;")
        .contains("&lt;/td&gt;&lt;b&gt;&amp;amp;&quot;&#39;&lt;");
  }

  @Test
  void theSpectraChartDrawsEveryValueOnLogLogAxesWithEachTensorsRankFloor() {
    io.deltascope.diff.WeightDiffResult result =
        io.deltascope.diff.LocalDiff.of("llama-base", "llama-sft");
    com.fasterxml.jackson.databind.node.ObjectNode json =
        io.deltascope.report.JsonReport.weightDiff(result);
    String page =
        HtmlReport.render(ReportDocuments.weightDiff(FullSpectra.attach(json, result.rows())));
    // the JSON document keeps its top k only; the report's copy has every value
    assertThat(json.get("tensors").get(0).has(FullSpectra.FIELD)).isFalse();
    com.fasterxml.jackson.databind.JsonNode oracle =
        io.deltascope.Fixtures.pairOracle("llama-base", "llama-sft").get("tensors");
    java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> byName =
        new java.util.HashMap<>();
    json.get("tensors").forEach(t -> byName.put(t.get("name").asText(), t));
    String chart = page.substring(page.indexOf("<figure class=\"chart spectra-chart\">"));
    chart = chart.substring(0, chart.indexOf("</figure>"));
    assertThat(chart).contains("index i (log scale)").contains("B\u2212A (log scale)");
    java.util.regex.Matcher series =
        java.util.regex.Pattern.compile(
                "<g class=\"series\" data-series=\"\\d+\" data-label=\"([^\"]+)\""
                    + " data-values=\"([^\"]+)\"><path[^>]*/><line class=\"level\"[^>]*"
                    + " data-y=\"([^\"]+)\"")
            .matcher(chart);
    int n = 0;
    while (series.find()) {
      String name = series.group(1);
      double[] values =
          java.util.Arrays.stream(series.group(2).split(" "))
              .mapToDouble(Double::parseDouble)
              .toArray();
      com.fasterxml.jackson.databind.JsonNode expected = oracle.get(name).get("singular_values");
      assertThat(values).as(name).hasSize(expected.size());
      for (int i = 0; i < values.length; i++) {
        assertThat(values[i])
            .as(name + " s" + i)
            .isCloseTo(expected.get(i).asDouble(), within(1e-6 * expected.get(0).asDouble()));
      }
      // every value drawn (a spectrum this short is not thinned), each floor the JSON's
      int drawn = chart.substring(series.start()).split("</g>")[0].split("class=\"pt\"").length;
      assertThat(drawn - 1).as(name).isEqualTo(expected.size());
      double floor = Double.parseDouble(series.group(3));
      assertThat(floor).isEqualTo(byName.get(name).get("rank_floor").asDouble());
      n++;
    }
    assertThat(n).isEqualTo(WeightDiffSections.TOP_SPECTRA);

    // the numerical-rank heatmap: each cell the count of the oracle's values above the floor
    String heatmap = page.substring(page.indexOf("data-metric=\"numerical_rank\""));
    heatmap = heatmap.substring(0, heatmap.indexOf("</figure>"));
    java.util.regex.Matcher cell =
        java.util.regex.Pattern.compile("data-tensor=\"([^\"]+)\" data-value=\"([^\"]+)\"")
            .matcher(heatmap);
    int cells = 0;
    while (cell.find()) {
      String name = cell.group(1);
      long above =
          ReportTestDocuments.aboveFloor(name, byName.get(name).get("rank_floor").asDouble());
      assertThat(Double.parseDouble(cell.group(2))).as(name).isEqualTo((double) above);
      assertThat(byName.get(name).get("numerical_rank").asLong()).isEqualTo(above);
      cells++;
    }
    assertThat(cells).isEqualTo(30); // every matrix
  }

  @Test
  void aLongSpectrumIsDrawnThinnedWithItsFirstValuesItsFloorCrossingAndItsLast() {
    java.util.TreeSet<Integer> shown = SpectrumChart.shown(2048, 300);
    assertThat(shown).hasSizeLessThan(SpectrumChart.DRAWN_WHOLE);
    assertThat(shown).contains(0, SpectrumChart.HEAD - 1, 299, 300, 2047);
    assertThat(shown.last()).isEqualTo(2047);
    assertThat(SpectrumChart.shown(128, 4)).hasSize(128);
    assertThat(SpectrumChart.shown(2048, 2048)).contains(2047).allMatch(i -> i < 2048);
  }

  @Test
  void aQuantizedSideShowsBitsPerWeightDriftByLayerAndTheWorstTensors() {
    String q4 = io.deltascope.Fixtures.root().resolve("gguf/llama-sft.q4_0.gguf").toString();
    io.deltascope.diff.WeightDiffPlan plan =
        io.deltascope.diff.LocalDiff.planOf(
            io.deltascope.Fixtures.model("llama-sft").toString(), q4);
    io.deltascope.diff.WeightDiffResult result = io.deltascope.diff.LocalDiff.of(plan);
    String page =
        HtmlReport.render(
            ReportDocuments.weightDiff(
                io.deltascope.report.JsonReport.weightDiff(
                    result, io.deltascope.diff.QuantizedFile.of(plan))));
    assertThat(page).contains("<section id=\"quantization\"");
    // as the terminal: 582.2 KiB, 4.53 bits per weight, 30 Q4_0 and 9 F32 tensors
    assertThat(page)
        .contains("<span class=\"value\">4.53</span><span class=\"label\">bits per weight")
        .contains("<span class=\"value\">582.2 KiB</span>")
        .contains("<span class=\"value\">30 Q4_0, 9 F32</span>");
    // drift by layer: layer 0's attn_q as the terminal prints it (0.084293 0.005137 0.996451)
    java.util.regex.Matcher row =
        java.util.regex.Pattern.compile("<tr data-layer=\"0\" data-component=\"attn_q\">(.*?)</tr>")
            .matcher(page);
    assertThat(row.find()).isTrue();
    assertThat(row.group(1))
        .contains("<td class=\"type\">Q4_0</td>")
        .contains(">0.08429<")
        .contains(">0.005137<")
        .contains(">0.9965<");
    // the worst tensors: the oracle's drift of each, largest relative change first
    com.fasterxml.jackson.databind.JsonNode oracle =
        io.deltascope.Fixtures.json(java.nio.file.Path.of(q4 + ".json"));
    java.util.List<String> expected = ReportTestDocuments.byDrift(oracle);
    java.util.Map<String, Double> drift = ReportTestDocuments.drift(oracle);
    String worst = page.substring(page.indexOf("<table class=\"quant-worst sortable\">"));
    java.util.regex.Matcher tensor =
        java.util.regex.Pattern.compile(
                "<tr data-tensor=\"([^\"]+)\">.*?<td class=\"num\" data-v=\"([^\"]+)\"")
            .matcher(worst.substring(0, worst.indexOf("</table>")));
    java.util.List<String> shown = new java.util.ArrayList<>();
    while (tensor.find()) {
      shown.add(tensor.group(1));
      double rel = drift.get(tensor.group(1));
      assertThat(Double.parseDouble(tensor.group(2))).isCloseTo(rel, within(1e-9 * rel));
    }
    assertThat(shown).containsExactlyElementsOf(expected.subList(0, QuantizationSection.WORST));
    // a pair of safetensors folders has no such section
    assertThat(
            HtmlReport.render(
                ReportDocuments.weightDiff(
                    io.deltascope.report.JsonReport.weightDiff(
                        io.deltascope.diff.LocalDiff.of("llama-base", "llama-sft")))))
        .doesNotContain("id=\"quantization\"");
  }

  @Test
  void everyPageCarriesItsProvenanceEscaped() {
    var provenance =
        new io.deltascope.report.Provenance(
            "deltascope weight-diff -b '<b>x</b>'",
            new java.util.LinkedHashMap<>(java.util.Map.of("--base", "<b>x</b>")),
            "run-1",
            "9.9",
            "host-1");
    var empty = io.deltascope.report.JsonReport.MAPPER.createObjectNode();
    empty.putArray("pairs");
    java.util.List<ReportDocuments> pages =
        java.util.List.of(
            ReportDocuments.weightDiff(
                io.deltascope.report.JsonReport.weightDiff(
                    io.deltascope.diff.LocalDiff.of("llama-base", "llama-sft"))),
            ReportDocuments.activation(ReportTestDocuments.activation()),
            ReportDocuments.compare(ReportTestDocuments.compare()),
            ReportDocuments.logitDiff(empty),
            ReportDocuments.trajectory(empty));
    for (ReportDocuments docs : pages) {
      String page = HtmlReport.render(docs.with(provenance));
      assertThat(page)
          .contains("<section id=\"provenance\"><h2>Provenance</h2>")
          .contains(
              "<dd><code>deltascope weight-diff -b &#39;&lt;b&gt;x&lt;/b&gt;&#39;</code></dd>")
          .contains("<li><code>--base</code> <code>&lt;b&gt;x&lt;/b&gt;</code></li>")
          .contains("<div class=\"run-id\"><dt>Run id</dt><dd><code>run-1</code></dd></div>")
          .contains("<div class=\"version\"><dt>deltascope</dt><dd>9.9</dd></div>")
          .contains("<div class=\"host\"><dt>Host</dt><dd>host-1</dd></div>")
          .doesNotContain("<b>");
      // without one (a library caller), the version and the date still
      assertThat(HtmlReport.render(docs))
          .contains("<section id=\"provenance\">")
          .contains(
              "<div class=\"version\"><dt>deltascope</dt><dd>"
                  + io.deltascope.report.Version.get()
                  + "</dd></div>")
          .contains("<div class=\"date\"><dt>Date</dt><dd>" + docs.date() + "</dd></div>")
          .doesNotContain("class=\"host\"");
    }
  }

  @Test
  void theActivationPageNamesItsTwoModels() {
    var doc = ReportTestDocuments.activation();
    doc.put("base", "/m/llama-base").put("finetuned", "/m/llama-sft/");
    String page = HtmlReport.render(ReportDocuments.activation(doc));
    assertThat(page)
        .contains("<title>deltascope: llama-base vs llama-sft</title>")
        .contains("<div class=\"model model-base\"><dt>Base</dt>")
        .contains("<strong class=\"name\">llama-sft</strong> <span class=\"path\">/m/llama-sft/")
        .contains(
            "<p class=\"models\"><strong>llama-base</strong> (base) vs"
                + " <strong>llama-sft</strong> (fine-tuned)</p>");
  }

  @Test
  void theBatchOverviewShowsEachPairsDiagnosisKind() {
    var doc = io.deltascope.report.JsonReport.MAPPER.createObjectNode();
    var pair = doc.putArray("pairs").addObject();
    pair.put("name", "q8");
    pair.putObject("diagnosis").put("kind", "quantization");
    pair.putObject("summary").put("mean_relative_delta", 0.001);
    assertThat(HtmlReport.render(ReportDocuments.trajectory(doc)))
        .contains("<td class=\"diagnosis-kind\" data-v=\"quantization\">quantization</td>");
  }
}
