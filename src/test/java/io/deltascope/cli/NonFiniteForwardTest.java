package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.Fixtures;
import io.deltascope.RewrittenModels;
import io.deltascope.TestSpark;
import io.deltascope.report.html.HtmlReport;
import io.deltascope.report.html.ReportDocuments;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint whose block 1 holds a NaN: activation-diff and compare name the first layer whose
 * hidden states stopped being finite, and count it as divergence.
 */
class NonFiniteForwardTest {
  @TempDir Path dir;

  @Test
  void activationDiffAndCompareNameTheFirstNonFiniteLayer() throws Exception {
    TestSpark.session();
    String base = Fixtures.model("llama-base").toString();
    String broken =
        RewrittenModels.withNan("llama-base", "model.layers.1.mlp.down_proj.weight", dir)
            .toString();
    Path json = dir.resolve("ad.json");
    CliRun ad =
        CliRun.of(
            "activation-diff",
            "-b",
            base,
            "-f",
            broken,
            "-p",
            "The answer is",
            "-o",
            json.toString());
    assertThat(ad.exitCode()).as(ad.err()).isZero();
    assertThat(ad.out())
        .contains(
            "Warning: hidden-state cosines first stop being finite at layer 1 (a hidden state"
                + " NaN, infinite or all zeros)")
        .containsPattern("(?m)^0 +1\\.000000 +0\\.000000$")
        .containsPattern("(?m)^1 +NaN +NaN \\*\\*\\*$");
    JsonNode doc = Fixtures.json(json);
    assertThat(doc.get("first_non_finite_layer").asInt()).isEqualTo(1);
    assertThat(doc.get("layers").get(2).get("layer").asInt()).isEqualTo(1);
    assertThat(doc.get("layers").get(2).get("diverged").asBoolean()).isTrue();
    assertThat(doc.get("layers").get(1).get("diverged").asBoolean()).isFalse();
    String html = HtmlReport.render(ReportDocuments.activation((ObjectNode) doc));
    assertThat(html).contains("Hidden-state cosines first stop being finite at layer 1");

    Path cmp = dir.resolve("cmp.json");
    CliRun compare =
        CliRun.of(
            "compare", "-m1", base, "-m2", broken, "-p", "The answer is", "-o", cmp.toString());
    assertThat(compare.exitCode()).as(compare.err()).isZero();
    assertThat(compare.out())
        .contains("Warning: model 2: hidden-state cosines first stop being finite at layer 1")
        .doesNotContain("model 1: hidden");
    JsonNode models = Fixtures.json(cmp).get("models");
    assertThat(models.get(0).get("first_non_finite_layer").isNull()).isTrue();
    assertThat(models.get(1).get("first_non_finite_layer").asInt()).isEqualTo(1);
  }
}
