package io.deltascope.cli;

import io.deltascope.diff.LogitDiffResult;
import io.deltascope.job.ForwardJobs;
import io.deltascope.model.DecoderConfig;
import io.deltascope.model.DecoderModel;
import io.deltascope.model.LogitDiff;
import io.deltascope.model.PromptPair;
import io.deltascope.model.PromptTokenizer;
import io.deltascope.report.JsonReport;
import io.deltascope.report.LogitDiffReports;
import io.deltascope.report.html.ReportDocuments;
import io.deltascope.results.TokenMetricsRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deltascope logit-diff}: how much the fine-tune's next-token predictions moved from the
 * base's over a prompt set or a corpus: KL divergence, top-1 agreement, perplexities.
 */
@Command(
    name = "logit-diff",
    mixinStandardHelpOptions = true,
    description =
        "Compare both models' next-token distributions at every position of a prompt set or a"
            + " corpus: KL divergence, top-1 agreement, perplexity.")
final class LogitDiffCommand implements Callable<Integer> {
  @Option(
      names = {"-b", "--base"},
      required = true,
      paramLabel = "BASE",
      description = "Base checkpoint (folder, file or GGUF): the reference distribution P.")
  String base;

  @Option(
      names = {"-f", "--finetuned"},
      required = true,
      paramLabel = "FINETUNED",
      description = "Fine-tuned or quantized checkpoint: Q.")
  String finetuned;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(
        names = {"-p", "--prompts"},
        paramLabel = "PROMPTS",
        description = Prompts.DESCRIPTION)
    List<String> prompts;

    @Option(
        names = "--text",
        paramLabel = "FILE",
        description = "A corpus, cut into windows of --window tokens.")
    Path text;
  }

  @Option(
      names = "--window",
      defaultValue = "512",
      paramLabel = "N",
      description = "Tokens per window of --text, at most the context (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--tokenizer",
      paramLabel = "FOLDER",
      description =
          "Tokenize for both models with FOLDER/tokenizer.json (default: the base's; a GGUF has"
              + " none, so give its source folder).")
  String tokenizerFrom;

  @Option(
      names = "--shared-tokenizer",
      description =
          "Compare even when the models' tokenizers give token ids different meanings (default:"
              + " refused, since the two distributions are then over different tokens).")
  boolean sharedTokenizer;

  @Option(
      names = "--top-k",
      defaultValue = "5",
      paramLabel = "K",
      description = "Predictions shown per model at each top position (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--top-positions",
      defaultValue = "10",
      paramLabel = "N",
      description = "Positions of largest KL shown (default: ${DEFAULT-VALUE}).")
  int topPositions;

  @Mixin ForwardBatchOptions batching;

  @Mixin LongPromptsOption longPrompts;

  @Mixin OutputOptions outputs;
  @Mixin RunOptions run;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    long started = System.currentTimeMillis();
    checkOptions();
    outputs.check(run);
    String tokenizer = tokenizerFrom != null ? tokenizerFrom : base;
    DecoderConfig baseConfig = ForwardModels.checkModel(base);
    DecoderConfig finetunedConfig = ForwardModels.checkModel(finetuned);
    int vocabulary = checkVocabularies(base, finetuned);
    if (!sharedTokenizer) {
      checkSameTokens(base, finetuned, vocabulary);
    }
    List<PromptPair> pairs = prompts(tokenizer);
    for (PromptPair p : pairs) {
      String what = (input.text != null ? "window " : "prompt ") + (p.index() + 1);
      baseConfig.checkPromptLength(what, p.base().length(), base, longPrompts.allowLongPrompts);
      finetunedConfig.checkPromptLength(
          what, p.finetuned().length(), finetuned, longPrompts.allowLongPrompts);
    }
    SparkSession spark = run.startSpark("deltascope logit-diff");
    LogitDiffResult result;
    try (PromptTokenizer decoder = PromptTokenizer.open(tokenizer)) {
      result = compute(spark, base, finetuned, pairs, settings(), decoder);
    }
    var out = spec.commandLine().getOut();
    outputs.report(
        out,
        LogitDiffReports.text(result),
        () -> LogitDiffReports.json(result),
        ReportDocuments::logitDiff);
    var stored =
        new ForwardResultsWriter.Run(
            "logit-diff", base, finetuned, started, optionsJson(pairs.size()));
    outputs.store(
        out,
        ForwardResultsWriter.of(spark, stored, ForwardResultsWriter.TOKEN_METRICS, result.rows()));
    return Main.OK;
  }

  /** How positions are batched and how much of each result is kept. */
  record Settings(int batchSize, double memoryBudgetGb, int topK, int topPositions) {
    static final Settings DEFAULT =
        new Settings(
            ForwardJobs.Batching.DEFAULT_BATCH_SIZE,
            ForwardJobs.Batching.DEFAULT_MEMORY_BUDGET_GB,
            5,
            10);
  }

  private Settings settings() {
    return new Settings(batching.batchSize, batching.memoryBudgetGb, topK, topPositions);
  }

  /** Every position of every prompt compared on Spark, assembled on the driver. */
  static LogitDiffResult compute(
      SparkSession spark,
      String base,
      String finetuned,
      List<PromptPair> pairs,
      Settings s,
      PromptTokenizer decoder) {
    var batching = ForwardJobs.Batching.of(base, finetuned, s.batchSize(), s.memoryBudgetGb());
    List<TokenMetricsRow> rows =
        ForwardJobs.tokenMetrics(
                spark, base, finetuned, pairs, batching, s.topK(), s.topPositions())
            .collectAsList();
    return LogitDiffResult.of(base, finetuned, pairs, rows, s.topPositions(), decoder::decode);
  }

  /** Refuses, on the driver, two checkpoints whose output heads differ in size; their size. */
  static int checkVocabularies(String base, String finetuned) {
    try (DecoderModel a = DecoderModel.open(base);
        DecoderModel b = DecoderModel.open(finetuned)) {
      return LogitDiff.checkVocabularies(a, b);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }

  /**
   * Refuses two models whose own tokenizers give an id different tokens (llama against qwen2 with
   * heads of one size): a KL between distributions over different tokens means nothing. A side
   * without its own tokenizer.json (a GGUF, an adapter over its base) cannot tell, and is let be.
   */
  static void checkSameTokens(String base, String finetuned, int vocabulary) {
    if (!PromptTokenizer.exists(base) || !PromptTokenizer.exists(finetuned)) {
      return;
    }
    try (PromptTokenizer a = PromptTokenizer.open(base);
        PromptTokenizer b = PromptTokenizer.open(finetuned)) {
      a.firstDifference(b, vocabulary)
          .ifPresent(
              difference -> {
                throw new UserException(
                    "the models' tokenizers differ ("
                        + difference
                        + "): their next-token distributions cannot be compared; pass"
                        + " --shared-tokenizer to compare them anyway");
              });
    }
  }

  /** The prompts, or the corpus's windows, as the one tokenizer both models share sees them. */
  private List<PromptPair> prompts(String tokenizer) {
    try (PromptTokenizer t = PromptTokenizer.open(tokenizer)) {
      if (input.text != null) {
        return CorpusWindows.split(input.text, t, window);
      }
      return tokenize(Prompts.parse(input.prompts), t);
    }
  }

  static List<PromptPair> tokenize(List<String> texts, PromptTokenizer tokenizer) {
    List<PromptPair> pairs = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      var tokens = tokenizer.encode(texts.get(i));
      pairs.add(new PromptPair(i, texts.get(i), tokens, tokens));
    }
    return pairs;
  }

  private void checkOptions() {
    if (topK < 1) {
      throw new UsageException("--top-k must be 1 or more, not " + topK);
    }
    if (topPositions < 0) {
      throw new UsageException("--top-positions must be 0 or more, not " + topPositions);
    }
    batching.check();
    if (input.text != null) {
      if (window < 2) {
        throw new UsageException("--window must be 2 or more tokens, not " + window);
      }
      for (String model : List.of(base, finetuned)) {
        int context = ForwardModels.checkModel(model).maxPositions();
        if (context > 0 && window > context) {
          throw new UserException(
              String.format(
                  "--window %d is longer than %s's context of %d tokens", window, model, context));
        }
      }
    }
  }

  private String optionsJson(int prompts) {
    var node = JsonReport.MAPPER.createObjectNode();
    if (input.text != null) {
      node.put("text", input.text.toString());
      node.put("window", window);
      node.put("windows", prompts);
    } else {
      node.put("prompts", prompts);
    }
    node.put("tokenizer", tokenizerFrom);
    node.put("shared_tokenizer", sharedTokenizer);
    node.put("top_k", topK);
    node.put("top_positions", topPositions);
    return node.toString();
  }
}
