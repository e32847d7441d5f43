package io.deltascope.cli;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diagnosis.PairFacts;
import io.deltascope.diff.Gate;
import io.deltascope.diff.LogitDiffResult;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.job.ForwardJobs;
import io.deltascope.job.PairSpec;
import io.deltascope.job.WeightDiffJob;
import io.deltascope.model.DecoderConfig;
import io.deltascope.model.PromptPair;
import io.deltascope.model.PromptTokenizer;
import io.deltascope.report.JsonReport;
import io.deltascope.report.TerminalReport;
import io.deltascope.results.ActivationMetricsRow;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.RunRow;
import io.deltascope.results.Tables;
import io.deltascope.results.TokenMetricsRow;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deltascope batch}: many checkpoint pairs in one Spark application, each written as a run
 * of the results store. A base shared by several pairs is read once per tensor for all of them. A
 * pair that fails is recorded as failed and does not stop the others.
 */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    description = "Compare many checkpoint pairs in one Spark application into a results store.")
final class BatchCommand implements Callable<Integer> {
  @Option(
      names = "--pairs",
      required = true,
      paramLabel = "FILE",
      description = "name,base,finetuned rows (CSV) or JSON Lines; a path or Hadoop URI.")
  String pairs;

  @Option(names = "--results", required = true, paramLabel = "DIR", description = "The store.")
  String results;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "Batch id (default: time and a random suffix); each pair's run is ID-NAME, and"
              + " writing the same id again replaces those runs.")
  String batchId;

  @Option(
      names = "--analyses",
      split = ",",
      paramLabel = "LIST",
      defaultValue = "weights",
      description =
          "What to compute per pair: weights (the fast scan, default), spectra (every delta's"
              + " spectrum as well; --top-k and --distributed-svd-above apply), activations"
              + " (hidden-state cosines by layer over --prompts), logits (next-token KL,"
              + " agreement and perplexity over --prompts).")
  List<String> analyses;

  @Option(
      names = "--prompts",
      paramLabel = "PROMPTS",
      description = "Prompts for --analyses activations and logits. " + Prompts.DESCRIPTION)
  List<String> prompts;

  @Mixin SpectraOptions spectra;
  @Mixin GateOptions gate;
  @Mixin RunOptions run;
  @Mixin ProgressOption progress;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    List<Gate.Check> checks = gate.checks();
    for (String analysis : analyses) {
      if (!List.of("weights", "spectra", "activations", "logits").contains(analysis)) {
        throw new UsageException(
            "--analyses: unknown analysis '"
                + analysis
                + "' (available: weights, spectra, activations, logits)");
      }
    }
    List<String> texts = List.of();
    for (String forward : List.of("activations", "logits")) {
      if (analyses.contains(forward) && prompts == null) {
        throw new UsageException("--analyses " + forward + " needs --prompts (\"a,b\" or @file)");
      }
    }
    if (prompts != null && (analyses.contains("activations") || analyses.contains("logits"))) {
      texts = Prompts.parse(prompts);
    }
    // weights alone is the fast scan; spectra adds every delta's spectrum, which the diagnosis uses
    SpectrumSettings settings =
        analyses.contains("spectra") ? spectra.settings() : SpectrumSettings.OFF;
    String batch = batchId != null ? batchId : RunIds.generate();
    ResultsStore.checkRunId(batch);
    OutputFiles.checkStore(results, run.hadoopConfiguration());
    List<PairSpec> specs = readPairs();
    long started = System.currentTimeMillis();
    SparkSession spark = run.startSpark("deltascope batch");

    Map<String, Object> opened = openAll(specs);
    List<PairSpec> planned = new ArrayList<>();
    List<WeightDiffPlan> plans = new ArrayList<>();
    Map<String, String> errors = new HashMap<>();
    for (PairSpec pair : specs) {
      Object base = opened.get(pair.base());
      Object finetuned = opened.get(pair.finetuned());
      if (base instanceof Checkpoint b && finetuned instanceof Checkpoint f) {
        planned.add(pair);
        plans.add(WeightDiffPlan.of(b, f));
      } else {
        errors.put(pair.name(), (String) (base instanceof String ? base : finetuned));
      }
    }
    List<WeightDiffJob.Outcome> outcomes =
        WeightDiffJob.runAll(spark, plans, progress.show(), settings);

    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    out.printf(
        Locale.ROOT,
        "%-24s %-10s %8s %14s %14s%n",
        "Pair",
        "Status",
        "Tensors",
        "Mean rel.",
        "Max rel.");
    out.println("-".repeat(74));
    boolean anyFailed = false;
    boolean anyCheckFailed = false;
    String options = options();
    for (PairSpec pair : specs) {
      RunRow row =
          ResultsWriter.run(
              batch + "-" + pair.name(), pair.base(), pair.finetuned(), started, options);
      row.setPair(pair.name());
      row.setBatchId(batch);
      int index = planned.indexOf(pair);
      WeightDiffJob.Outcome outcome = index < 0 ? null : outcomes.get(index);
      String error = outcome == null ? errors.get(pair.name()) : outcome.error();
      if (error != null) {
        anyFailed = true;
        ResultsWriter.failed(spark, results, row, error);
        out.printf(Locale.ROOT, "%-24s %-10s %s%n", pair.name(), "failed", error);
        continue;
      }
      Map<String, Dataset<Row>> more = new HashMap<>();
      String failure = forwardTables(spark, pair, texts, row.getRunId(), more);
      if (failure != null) {
        anyFailed = true;
        ResultsWriter.failed(spark, results, row, failure);
        out.printf(Locale.ROOT, "%-24s %-10s %s%n", pair.name(), "failed", failure);
        continue;
      }
      ResultsWriter.weightDiff(
          spark,
          results,
          row,
          outcome.result(),
          Diagnosis.of(outcome.result(), PairFacts.of(outcome.plan())),
          more);
      var s = outcome.result().summary();
      out.printf(
          Locale.ROOT,
          "%-24s %-10s %8d %14s %14s%n",
          pair.name(),
          "succeeded",
          s.tensorsCompared(),
          TerminalReport.number(s.meanMatrixRelativeDelta()),
          TerminalReport.number(s.maxRelativeDelta()));
      for (Gate.Failure f : Gate.evaluate(checks, outcome.result())) {
        anyCheckFailed = true;
        err.println("deltascope: check failed for " + pair.name() + ": " + f.describe());
      }
    }
    out.println(
        "Results: batch " + batch + " in " + io.deltascope.checkpoint.Locations.redact(results));
    out.flush();
    err.flush();
    return anyFailed ? Main.SOME_PAIRS_FAILED : anyCheckFailed ? Main.CHECK_FAILED : Main.OK;
  }

  /**
   * The pair's forward analyses over the batch's prompts, as tables added to {@code more}; the
   * failure as one line ("logits: ..."), or null.
   */
  private String forwardTables(
      SparkSession spark,
      PairSpec pair,
      List<String> texts,
      String runId,
      Map<String, Dataset<Row>> more) {
    String current = "activations";
    try {
      if (analyses.contains("activations")) {
        more.put(Tables.ACTIVATION_METRICS, activations(spark, pair, texts, runId));
      }
      current = "logits";
      if (analyses.contains("logits")) {
        more.put(Tables.TOKEN_METRICS, logits(spark, pair, texts, runId));
      }
      return null;
    } catch (RuntimeException e) {
      return current + ": " + Errors.oneLine(e);
    }
  }

  /** The pair's next-token comparison over the batch's prompts, as its token_metrics table. */
  private static Dataset<Row> logits(
      SparkSession spark, PairSpec pair, List<String> texts, String runId) {
    LogitDiffCommand.checkVocabularies(pair.base(), pair.finetuned());
    LogitDiffResult result;
    DecoderConfig baseConfig = ForwardModels.checkModel(pair.base());
    DecoderConfig finetunedConfig = ForwardModels.checkModel(pair.finetuned());
    try (PromptTokenizer tokenizer = PromptTokenizer.open(pair.base())) {
      List<PromptPair> prompts = LogitDiffCommand.tokenize(texts, tokenizer);
      for (PromptPair p : prompts) {
        String what = "prompt " + (p.index() + 1);
        baseConfig.checkPromptLength(what, p.base().length(), pair.base(), false);
        finetunedConfig.checkPromptLength(what, p.finetuned().length(), pair.finetuned(), false);
      }
      result =
          LogitDiffCommand.compute(
              spark,
              pair.base(),
              pair.finetuned(),
              prompts,
              LogitDiffCommand.Settings.DEFAULT,
              tokenizer);
    }
    return Tables.asTable(
        spark.createDataset(result.rows(), TokenMetricsRow.ENCODER),
        Tables.TOKEN_METRICS,
        runId,
        Tables.TOKEN_METRICS_COLUMNS);
  }

  /** The pair's activation cosines over the batch's prompts, as its activation_metrics table. */
  private static Dataset<Row> activations(
      SparkSession spark, PairSpec pair, List<String> texts, String runId) {
    List<PromptPair> prompts =
        ActivationDiffCommand.tokenize(pair.base(), pair.finetuned(), texts, false, false);
    List<ActivationMetricsRow> rows =
        ActivationDiffCommand.activationRows(
            spark,
            pair.base(),
            pair.finetuned(),
            prompts,
            ForwardJobs.Batching.DEFAULT_BATCH_SIZE,
            ForwardJobs.Batching.DEFAULT_MEMORY_BUDGET_GB);
    return Tables.asTable(
        spark.createDataset(rows, ActivationMetricsRow.ENCODER),
        Tables.ACTIVATION_METRICS,
        runId,
        Tables.ACTIVATION_METRICS_COLUMNS);
  }

  private List<PairSpec> readPairs() {
    try {
      return PairSpec.read(pairs);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }

  /** Each distinct checkpoint opened once: a Checkpoint, or the one-line error that it is not. */
  private static Map<String, Object> openAll(List<PairSpec> specs) {
    Map<String, Object> opened = new HashMap<>();
    for (PairSpec pair : specs) {
      for (String location : List.of(pair.base(), pair.finetuned())) {
        opened.computeIfAbsent(location, BatchCommand::openOrError);
      }
    }
    return opened;
  }

  private static Object openOrError(String location) {
    try {
      return CheckpointArgs.open(location, null);
    } catch (CheckpointException | UncheckedIOException e) {
      return Errors.oneLine(e);
    }
  }

  private String options() {
    var node = JsonReport.MAPPER.createObjectNode();
    node.put("pairs", io.deltascope.checkpoint.Locations.redact(pairs));
    analyses.forEach(node.putArray("analyses")::add);
    if (analyses.contains("spectra")) {
      spectra.optionsJson(node);
    }
    gate.failIf.forEach(node.putArray("fail_if")::add);
    return node.toString();
  }
}
