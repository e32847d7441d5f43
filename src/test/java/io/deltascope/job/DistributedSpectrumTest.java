package io.deltascope.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.deltascope.Planted;
import io.deltascope.SafetensorsFiles;
import io.deltascope.SafetensorsFiles.Tensor;
import io.deltascope.TestSpark;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planted spectra through the whole job: a tall and a wide delta above the (lowered) distributed
 * threshold take MLlib's RowMatrix path, a small one the executors' local path, and all give the
 * planted singular values.
 */
class DistributedSpectrumTest {
  private static final double[] S = {6.0, 4.5, 2.0, 1.0, 0.5, 0.25, 0.125};
  private static final long THRESHOLD = 10_000;

  @TempDir static Path dir;
  static WeightDiffPlan plan;

  @BeforeAll
  static void plantedPair() throws Exception {
    Map<String, Tensor> base = new LinkedHashMap<>();
    Map<String, Tensor> tuned = new LinkedHashMap<>();
    add(base, tuned, "tall.weight", 3000, 48, 1); // 144,000 elements: distributed, by rows
    add(base, tuned, "wide.weight", 40, 2500, 2); // 100,000 elements: distributed, by columns
    add(base, tuned, "small.weight", 64, 32, 3); // 2,048 elements: local
    base.put("norm.weight", new Tensor("F32", new long[] {48}, Planted.gaussian(48, 1, 4)));
    tuned.put("norm.weight", base.get("norm.weight"));
    Path a = SafetensorsFiles.write(dir.resolve("base.safetensors"), base);
    Path b = SafetensorsFiles.write(dir.resolve("tuned.safetensors"), tuned);
    plan = WeightDiffPlan.of(Checkpoint.open(a.toString()), Checkpoint.open(b.toString()));
  }

  private static void add(
      Map<String, Tensor> base,
      Map<String, Tensor> tuned,
      String name,
      int rows,
      int cols,
      long seed) {
    // float32 values, and a delta exactly representable in float32 around them: planted exactly
    double[] a = Planted.toF32(Planted.gaussian(rows * cols, 0.05, seed));
    double[] d = Planted.toF32(Planted.matrix(rows, cols, S, seed + 100));
    base.put(name, new Tensor("F32", new long[] {rows, cols}, a));
    tuned.put(name, new Tensor("F32", new long[] {rows, cols}, Planted.toF32(Planted.plus(a, d))));
  }

  @Test
  void deltasAboveTheThresholdTakeTheRowMatrixPathAndGiveThePlantedValues() {
    WeightDiffResult result =
        WeightDiffJob.run(
            TestSpark.session(), plan, false, new SpectrumSettings(true, 5, THRESHOLD));
    Map<String, TensorResult> rows = byName(result.rows());
    assertThat(rows.get("tall.weight").spectrumMethod()).isEqualTo(DistributedSpectrum.METHOD);
    assertThat(rows.get("wide.weight").spectrumMethod()).isEqualTo(DistributedSpectrum.METHOD);
    assertThat(rows.get("small.weight").spectrumMethod()).isEqualTo(ComputeDeltaMetrics.GRAM);
    assertThat(rows.get("norm.weight").spectrumStatus()).isEqualTo("not_matrix");
    for (String name : List.of("tall.weight", "wide.weight", "small.weight")) {
      TensorResult row = rows.get(name);
      // float32 rounding of the sums moves the values by ~1e-7 relative
      List<Double> s = row.singularValues();
      assertThat(s)
          .as(name)
          .hasSize(name.equals("tall.weight") ? 48 : name.equals("wide.weight") ? 40 : 32);
      for (int i = 0; i < S.length; i++) {
        assertThat(s.get(i)).as("%s s[%d]", name, i).isCloseTo(S[i], within(1e-5 * S[0]));
      }
      assertThat(row.numericalRank()).as(name).isEqualTo(S.length);
      assertThat(row.singularValuesTop()).as(name).hasSize(5);
    }
  }

  @Test
  void theDistributedAndLocalPathsAgree() {
    var spark = TestSpark.session();
    Map<String, TensorResult> distributed =
        byName(
            WeightDiffJob.run(spark, plan, false, new SpectrumSettings(true, 20, THRESHOLD))
                .rows());
    Map<String, TensorResult> local =
        byName(WeightDiffJob.run(spark, plan, false, SpectrumSettings.DEFAULT).rows());
    for (String name : List.of("tall.weight", "wide.weight")) {
      assertThat(local.get(name).spectrumMethod()).isEqualTo(ComputeDeltaMetrics.GRAM);
      List<Double> d = distributed.get(name).singularValues();
      List<Double> l = local.get(name).singularValues();
      // the planted values agree closely; the null space is Gram rounding noise (~sqrt(eps) s_max)
      // that depends on summation order, so the whole spectrum is held to the oracle's 1e-6 s_max
      for (int i = 0; i < d.size(); i++) {
        double tolerance = (i < S.length ? 1e-10 : 1e-6) * l.get(0);
        assertThat(d.get(i)).as("%s s[%d]", name, i).isCloseTo(l.get(i), within(tolerance));
      }
      // the entropy sums 40 noise values of ~1e-7 each: they move it by ~1e-5
      assertThat(distributed.get(name).effectiveRank())
          .isCloseTo(local.get(name).effectiveRank(), within(1e-4));
      assertThat(distributed.get(name).stableRank())
          .isCloseTo(local.get(name).stableRank(), within(1e-10));
    }
  }

  @Test
  void theFastScanHasNoSpectra() {
    WeightDiffResult result =
        WeightDiffJob.run(TestSpark.session(), plan, false, SpectrumSettings.OFF);
    for (TensorResult row : result.rows()) {
      assertThat(row.spectrumStatus()).as(row.name()).isEqualTo("skipped");
      assertThat(row.singularValues()).isNull();
      assertThat(row.l2Distance()).isNotNull();
    }
  }

  private static Map<String, TensorResult> byName(List<TensorResult> rows) {
    Map<String, TensorResult> out = new LinkedHashMap<>();
    rows.forEach(r -> out.put(r.name(), r));
    return out;
  }
}
