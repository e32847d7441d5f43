package io.deltascope.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults of the disk and of the store's folder: one line naming the store, earlier runs intact. */
class StoreFaultTest {
  private static final int TENSORS = 3;

  @TempDir Path dir;

  private final SparkSession spark = TestSpark.session();

  @Test
  void aDiskThatFillsWhileARunIsWrittenFailsInOneLineAndLeavesEveryRunWhole() throws Exception {
    FullDiskFileSystem.register(spark.sparkContext().hadoopConfiguration());
    Path base = dir.resolve("base");
    SyntheticRuns.write(spark, FullDiskFileSystem.SCHEME + ":" + base, "earlier", 1, TENSORS);
    SyntheticRuns.write(spark, FullDiskFileSystem.SCHEME + ":" + base, "r", 1, TENSORS);
    List<String> failures = new ArrayList<>();
    // the disk fills at ever later points of the write: in a data file, in a commit, in runs
    for (long left : new long[] {0, 10_000, 14_000, 20_000, 32_000}) {
      SyntheticRuns.copyStore(base, dir.resolve("s" + left));
      String store = FullDiskFileSystem.SCHEME + ":" + dir.resolve("s" + left);
      FullDiskFileSystem.LEFT.set(left);
      try {
        SyntheticRuns.write(spark, store, "r", 2, TENSORS);
      } catch (StoreException e) {
        assertThat(e.getMessage())
            .as("with %d bytes left", left)
            .matches(
                java.util.regex.Pattern.quote(store)
                    + ": table \\w+: cannot write run r: No space left on device")
            .doesNotContain("\n");
        failures.add(e.getMessage());
      } finally {
        FullDiskFileSystem.LEFT.set(Long.MAX_VALUE);
      }
      ResultsStore results = new ResultsStore(spark, store);
      assertThat(versions(results, Tables.TENSOR_METRICS))
          .as("with %d bytes left", left)
          .containsEntry("earlier", List.of(1.0, 1.0, (double) TENSORS))
          .hasSize(2);
      assertThat(versions(results, Tables.TENSOR_METRICS).get("r"))
          .as("run r whole, old or new, with %d bytes left", left)
          .isIn(List.of(1.0, 1.0, (double) TENSORS), List.of(2.0, 2.0, (double) TENSORS));
      // with room again, the run is written whole
      SyntheticRuns.write(spark, store, "r", 3, TENSORS);
      assertThat(versions(results, Tables.TENSOR_METRICS).get("r"))
          .isEqualTo(List.of(3.0, 3.0, (double) TENSORS));
    }
    assertThat(failures).as("the disk filled during some writes").hasSizeGreaterThan(1);
  }

  @Test
  void aTableAnotherToolWroteWithAnotherSchemaIsOneLineNamingTheStoreAndTable() {
    String store = dir.resolve("store").toString();
    SyntheticRuns.write(spark, store, "a", 1, TENSORS);
    // another tool replaces spectra with a Delta table of its own
    spark
        .range(3)
        .toDF("x")
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .save(store + "/" + Tables.SPECTRA);
    ResultsStore results = new ResultsStore(spark, store);
    assertThatThrownBy(results::registerViews)
        .isInstanceOf(StoreException.class)
        .hasMessage(
            store
                + ": table spectra: not a deltascope table (another schema): no column run_id,"
                + " write_id");
    assertThat(results.table(Tables.TENSOR_METRICS).count()).isEqualTo(TENSORS);
  }

  /** Per visible run: the min and max of relative_delta (its version) and its row count. */
  private static java.util.Map<String, List<Double>> versions(ResultsStore results, String table) {
    java.util.Map<String, List<Double>> out = new java.util.HashMap<>();
    for (Row row :
        results
            .table(table)
            .groupBy("run_id")
            .agg(
                functions.min("relative_delta"),
                functions.max("relative_delta"),
                functions.count("*"))
            .collectAsList()) {
      out.put(
          row.getString(0), List.of(row.getDouble(1), row.getDouble(2), (double) row.getLong(3)));
    }
    return out;
  }
}
