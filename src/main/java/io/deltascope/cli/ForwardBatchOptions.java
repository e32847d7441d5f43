package io.deltascope.cli;

import io.deltascope.job.ForwardJobs;
import picocli.CommandLine.Option;

/** How the forward commands batch prompts on Spark: one definition of the options and checks. */
final class ForwardBatchOptions {
  @Option(
      names = "--batch-size",
      defaultValue = "" + ForwardJobs.Batching.DEFAULT_BATCH_SIZE,
      paramLabel = "N",
      description = "Prompts (or windows) per Spark task (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--memory-budget-gb",
      defaultValue = "" + ForwardJobs.Batching.DEFAULT_MEMORY_BUDGET_GB,
      paramLabel = "GB",
      description =
          "Widened block weights that concurrent tasks may hold together; fewer batches run at"
              + " once when one block pair is large (default: ${DEFAULT-VALUE}).")
  double memoryBudgetGb;

  /** Malformed values are usage errors, before any work. */
  void check() {
    if (batchSize < 1) {
      throw new UsageException("--batch-size must be 1 or more, not " + batchSize);
    }
    if (memoryBudgetGb <= 0) {
      throw new UsageException("--memory-budget-gb must be above 0, not " + memoryBudgetGb);
    }
  }
}
