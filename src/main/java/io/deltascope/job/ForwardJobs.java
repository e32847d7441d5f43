package io.deltascope.job;

import io.deltascope.model.DecoderModel;
import io.deltascope.model.PromptPair;
import io.deltascope.results.ActivationMetricsRow;
import io.deltascope.results.LogitLensRow;
import io.deltascope.results.TokenMetricsRow;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;

/**
 * activation-diff, logit-diff and compare on Spark: the driver has tokenized the prompts; executors
 * run the forward passes on batches of them ({@code mapPartitions}), each executor opening a model
 * once.
 */
public final class ForwardJobs {
  private ForwardJobs() {}

  /**
   * Cosine rows of every prompt and layer; prompts spread as {@code batching} says: each running
   * batch holds one widened block of each model.
   */
  public static Dataset<ActivationMetricsRow> activationMetrics(
      SparkSession spark,
      String base,
      String finetuned,
      List<PromptPair> prompts,
      Batching batching) {
    JavaRDD<ActivationMetricsRow> rows =
        promptBatches(spark, prompts, batching)
            .mapPartitions(new ComputeActivationCosines(base, finetuned));
    return spark.createDataset(rows.rdd(), ActivationMetricsRow.ENCODER);
  }

  /**
   * logit-diff's rows, one per position of every prompt, spread as {@link #activationMetrics}
   * spreads its prompts; each task runs its prompts {@code batchSize} at a time.
   *
   * @param keep positions of largest KL per batch that keep both models' top-k predictions
   */
  public static Dataset<TokenMetricsRow> tokenMetrics(
      SparkSession spark,
      String base,
      String finetuned,
      List<PromptPair> prompts,
      Batching batching,
      int topK,
      int keep) {
    JavaRDD<TokenMetricsRow> rows =
        promptBatches(spark, prompts, batching)
            .mapPartitions(
                new ComputeTokenMetrics(base, finetuned, batching.batchSize(), topK, keep));
    return spark.createDataset(rows.rdd(), TokenMetricsRow.ENCODER);
  }

  /**
   * How forward prompts are spread: {@code batchSize} prompts a batch, as many batches at a time as
   * there are cores and as {@code memoryBudget} (bytes) allows when each holds {@code taskBytes}.
   */
  public record Batching(int batchSize, long taskBytes, long memoryBudget) {
    public static final int DEFAULT_BATCH_SIZE = 8;
    public static final int DEFAULT_MEMORY_BUDGET_GB = 4;

    /** A pair's batching: a running batch holds one widened block of each model at a time. */
    public static Batching of(String base, String finetuned, int batchSize, double memoryBudgetGb) {
      long taskBytes = DecoderModel.blockBytes(base) + DecoderModel.blockBytes(finetuned);
      return new Batching(batchSize, taskBytes, (long) (memoryBudgetGb * 1e9));
    }

    /** Batches that may run at once: no more than {@code cores}, nor than the budget holds. */
    int parallelism(int cores) {
      long byMemory = Math.max(1, memoryBudget / Math.max(1, taskBytes));
      return (int) Math.min(cores, byMemory);
    }
  }

  private static JavaRDD<PromptPair> promptBatches(
      SparkSession spark, List<PromptPair> prompts, Batching batching) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int parallelism = batching.parallelism(jsc.defaultParallelism());
    int partitions = partitions(prompts.size(), batching.batchSize(), parallelism);
    return jsc.parallelize(new ArrayList<>(prompts), partitions);
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
