package io.deltascope.job;

import io.deltascope.model.PromptPair;
import io.deltascope.results.ActivationMetricsRow;
import io.deltascope.results.LogitLensRow;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;

/**
 * activation-diff and compare on Spark: the driver has tokenized the prompts; executors run the
 * forward passes on batches of them ({@code mapPartitions}), each executor opening a model once.
 */
public final class ForwardJobs {
  private ForwardJobs() {}

  /**
   * Cosine rows of every prompt and layer; prompts in batches of {@code batchSize}, as many batches
   * at a time as there are cores and as {@code memoryBudget} allows: each running batch holds one
   * widened block of each model ({@code taskBytes}).
   */
  public static Dataset<ActivationMetricsRow> activationMetrics(
      SparkSession spark,
      String base,
      String finetuned,
      List<PromptPair> prompts,
      int batchSize,
      long taskBytes,
      long memoryBudget) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long byMemory = Math.max(1, memoryBudget / Math.max(1, taskBytes));
    int parallelism = (int) Math.min(jsc.defaultParallelism(), byMemory);
    int partitions = partitions(prompts.size(), batchSize, parallelism);
    JavaRDD<ActivationMetricsRow> rows =
        jsc.parallelize(new ArrayList<>(prompts), partitions)
            .mapPartitions(new ComputeActivationCosines(base, finetuned));
    return spark.createDataset(rows.rdd(), ActivationMetricsRow.ENCODER);
  }

  /** Logit-lens rows of every (model, prompt) piece of work, one partition per model. */
  public static Dataset<LogitLensRow> logitLens(SparkSession spark, List<LensWork> work, int topK) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<LensWork> sorted = new ArrayList<>(work);
    sorted.sort(java.util.Comparator.comparingInt(LensWork::modelIndex));
    int models = (int) work.stream().map(LensWork::modelIndex).distinct().count();
    JavaRDD<LogitLensRow> rows =
        jsc.parallelize(sorted, Math.max(1, models)).mapPartitions(new ComputeLogitLens(topK));
    return spark.createDataset(rows.rdd(), LogitLensRow.ENCODER);
  }

  static int partitions(int prompts, int batchSize, int parallelism) {
    int batches = (prompts + batchSize - 1) / batchSize;
    return Math.max(1, Math.min(batches, parallelism));
  }
}
