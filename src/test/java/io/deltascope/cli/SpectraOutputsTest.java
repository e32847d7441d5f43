package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.Tables;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** weight-diff's spectra and diagnosis reach the JSON file and every results table. */
class SpectraOutputsTest {
  @TempDir Path dir;

  @Test
  void theLoraRunWritesSpectraDiagnosisAndFullSpectraTable() throws Exception {
    TestSpark.session();
    Path json = dir.resolve("out.json");
    String store = dir.resolve("results").toString();
    int code =
        Main.execute(
            "weight-diff",
            "-b",
            Fixtures.model("llama-base").toString(),
            "-f",
            Fixtures.model("llama-lora-merged").toString(),
            "-o",
            json.toString(),
            "--results",
            store,
            "--run-id",
            "lora",
            "--top-k",
            "6",
            "--master",
            "local[2]");
    assertThat(code).isZero();

    JsonNode root = new ObjectMapper().readTree(json.toFile());
    JsonNode q = tensor(root, "model.layers.0.self_attn.q_proj.weight");
    assertThat(q.get("singular_values_top")).hasSize(6);
    assertThat(q.get("numerical_rank").asInt()).isEqualTo(4);
    assertThat(q.get("spectrum_status").asText()).isEqualTo("computed");
    // the energy share of the top 6 comes from all 128 values: 1 minus the noise's tiny share
    assertThat(q.get("top_k_energy_share").asDouble()).isLessThan(1.0).isGreaterThan(0.999999);
    JsonNode head = tensor(root, "lm_head.weight");
    assertThat(head.get("spectrum_status").asText()).isEqualTo("zero_delta");
    assertThat(head.get("effective_rank").isNull()).isTrue();
    assertThat(tensor(root, "model.norm.weight").get("spectrum_status").asText())
        .isEqualTo("not_matrix");
    JsonNode diagnosis = root.get("diagnosis");
    assertThat(diagnosis.get("kind").asText()).isEqualTo("lora_merge");
    assertThat(diagnosis.get("profile").isNull()).isTrue();
    assertThat(diagnosis.get("findings").get(0).get("category").asText()).isEqualTo("lora");

    ResultsStore results = new ResultsStore(TestSpark.session(), store);
    List<Row> spectra = results.table(Tables.SPECTRA).where("run_id = 'lora'").collectAsList();
    // 8 changed matrices of 128 (attn_q) or 64 (attn_v) singular values each
    assertThat(spectra).hasSize(4 * 128 + 4 * 64);
    Row largest =
        results
            .table(Tables.SPECTRA)
            .where("tensor = 'model.layers.0.self_attn.q_proj.weight' and index = 0")
            .first();
    assertThat(largest.<Double>getAs("value"))
        .isEqualTo(q.get("singular_values_top").get(0).asDouble());
    Row metrics =
        results
            .table(Tables.TENSOR_METRICS)
            .where("tensor = 'model.layers.0.self_attn.q_proj.weight'")
            .select("numerical_rank", "effective_rank", "top_k_energy_share", "spectrum_method")
            .first();
    assertThat(metrics.<Integer>getAs("numerical_rank")).isEqualTo(4);
    assertThat(metrics.<String>getAs("spectrum_method")).isEqualTo("gram");
    Row run = results.table(Tables.RUNS).where("run_id = 'lora'").first();
    JsonNode stored = new ObjectMapper().readTree(run.<String>getAs("diagnosis"));
    assertThat(stored).isEqualTo(diagnosis);
    assertThat(run.<String>getAs("options")).contains("\"top_k\":6");
  }

  @Test
  void sizesReadAsPowersOf1024() {
    assertThat(SpectraOptions.parseSize("64M")).isEqualTo(64L << 20);
    assertThat(SpectraOptions.parseSize("500k")).isEqualTo(500L << 10);
    assertThat(SpectraOptions.parseSize("1000")).isEqualTo(1000L);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SpectraOptions.parseSize("lots"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("'lots' is not a size");
  }

  private static JsonNode tensor(JsonNode root, String name) {
    for (JsonNode t : root.get("tensors")) {
      if (t.get("name").asText().equals(name)) {
        return t;
      }
    }
    throw new AssertionError(name + " not in the JSON");
  }
}
