package io.deltascope.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writer processes on one store at once: runs of different ids both land; two writes of the
 * same run id leave that run whole, one version or the other, never a mix.
 */
class StoreConcurrencyTest {
  private static final int TENSORS = 4;

  @TempDir Path dir;

  private final SparkSession spark = TestSpark.session();

  @Test
  void writersOfDifferentRunsBothLandAndWritersOfTheSameRunNeverMix() throws Exception {
    String store = dir.resolve("store").toString();
    // both writers start on an empty store: they race to create every table too
    Process a = writer(store, 2, "a", "a1", "a2", "same");
    Process b = writer(store, 3, "b", "b1", "b2", "same");
    int exitA = finish(a, "a");
    int exitB = finish(b, "b");
    assertThat(exitA).as(log("a")).isZero();
    assertThat(exitB).as(log("b")).isZero();

    ResultsStore results = new ResultsStore(spark, store);
    List<String> runs =
        results
            .table(Tables.RUNS)
            .select("run_id")
            .orderBy("run_id")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    assertThat(runs).containsExactly("a1", "a2", "b1", "b2", "same");
    List<Row> perRun =
        results
            .table(Tables.TENSOR_METRICS)
            .groupBy("run_id")
            .agg(
                functions.count("*"),
                functions.min("relative_delta"),
                functions.max("relative_delta"))
            .orderBy("run_id")
            .collectAsList();
    List<String> seen = new ArrayList<>();
    for (Row row : perRun) {
      assertThat(row.getLong(1)).as("rows of %s", row.getString(0)).isEqualTo(TENSORS);
      assertThat(row.getDouble(2))
          .as("one version of %s", row.getString(0))
          .isEqualTo(row.getDouble(3));
      seen.add(row.getString(0) + "=" + (int) row.getDouble(2));
    }
    assertThat(seen).startsWith("a1=2", "a2=2", "b1=3", "b2=3").hasSize(5);
    String same =
        results.table(Tables.RUNS).where("run_id = 'same'").select("options").first().getString(0);
    assertThat(seen).contains("same=" + same);
    assertThat(
            results
                .table(Tables.SPECTRA)
                .where("run_id = 'same'")
                .agg(functions.min("value"), functions.max("value"))
                .first()
                .toString())
        .isEqualTo("[" + same + ".0," + same + ".0]");
  }

  private Process writer(String store, int version, String name, String... runIds)
      throws Exception {
    return SyntheticRuns.start(
        dir.resolve(name + ".log"), store, version, TENSORS, List.of(), runIds);
  }

  private int finish(Process p, String name) throws Exception {
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("writer " + name + " did not finish: " + log(name));
    }
    return p.exitValue();
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name + ".log"));
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
