package io.deltascope.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.diff.Gate;
import io.deltascope.diff.LocalDiff;
import io.deltascope.report.JsonReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/** One registry of metrics drives the columns, the JSON keys, the gates and the comments. */
class MetricRegistryTest {

  @Test
  void everyNumericBeanFieldIsARegistryMetricAndATableColumn() {
    List<String> numeric = new ArrayList<>();
    for (StructField f : TensorMetricsRow.ENCODER.schema().fields()) {
      boolean number =
          f.dataType().equals(DataTypes.DoubleType)
              || f.dataType().equals(DataTypes.LongType)
              || f.dataType().equals(DataTypes.IntegerType);
      // layer: a tensor column; outsideRounding: the diagnosis's rounding check, never stored
      if (number && !f.name().equals("layer") && !f.name().equals("outsideRounding")) {
        numeric.add(f.name().toLowerCase(Locale.ROOT));
      }
    }
    List<String> registry =
        Arrays.stream(Metric.values())
            .map(m -> m.column().replace("_", "").toLowerCase(Locale.ROOT))
            .toList();
    assertThat(registry).containsExactlyInAnyOrderElementsOf(numeric);
    for (Metric m : Metric.values()) {
      assertThat(Tables.TENSOR_METRICS_COLUMNS).contains(m.column());
    }
  }

  @Test
  void theJsonCarriesEveryMetricUnderItsStoredName() {
    JsonNode tensor =
        JsonReport.weightDiff(LocalDiff.of("llama-base", "llama-sft")).get("tensors").get(0);
    for (Metric m : Metric.values()) {
      assertThat(tensor.has(m.column())).as(m.column()).isTrue();
      if (m.source() == Metric.Source.DELTA) {
        assertThat(tensor.get(m.column()).isNumber()).as(m.column()).isTrue();
      }
    }
  }

  @Test
  void gatesTakeExactlyTheGateableMetrics() {
    for (Metric m : Metric.values()) {
      String check = m.column() + " > 1";
      if (m.gateable()) {
        assertThat(Gate.parse(check).metric()).isEqualTo(m.column());
      } else {
        assertThatThrownBy(() -> Gate.parse(check)).hasMessageContaining("METRIC one of");
      }
    }
  }

  @Test
  void everyStoredColumnHasAComment() {
    Map<String, List<String>> tables =
        Map.of(
            Tables.RUNS, Tables.RUNS_COLUMNS,
            Tables.TENSOR_METRICS, Tables.TENSOR_METRICS_COLUMNS,
            Tables.SPECTRA, Tables.SPECTRA_COLUMNS,
            Tables.ACTIVATION_METRICS, Tables.ACTIVATION_METRICS_COLUMNS,
            Tables.LOGIT_LENS, Tables.LOGIT_LENS_COLUMNS);
    tables.forEach(
        (table, columns) -> {
          assertThat(columns.get(0)).as(table).isEqualTo(Tables.RUN_ID);
          columns.forEach(
              c -> assertThat(ColumnComments.of(table, c)).as(table + "." + c).isNotBlank());
        });
  }
}
