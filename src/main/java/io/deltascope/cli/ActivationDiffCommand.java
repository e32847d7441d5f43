package io.deltascope.cli;

import io.deltascope.diff.ActivationDiffResult;
import io.deltascope.job.ForwardJobs;
import io.deltascope.model.DecoderConfig;
import io.deltascope.model.PromptPair;
import io.deltascope.model.PromptTokenizer;
import io.deltascope.model.Tokens;
import io.deltascope.report.ForwardReports;
import io.deltascope.report.JsonReport;
import io.deltascope.report.html.ReportDocuments;
import io.deltascope.results.ActivationMetricsRow;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deltascope activation-diff}: how far apart two models' residual streams are. */
@Command(
    name = "activation-diff",
    mixinStandardHelpOptions = true,
    description =
        "Run prompts through both models and compare their residual streams layer by layer.")
final class ActivationDiffCommand implements Callable<Integer> {
  @Option(
      names = {"-b", "--base"},
      required = true,
      paramLabel = "BASE",
      description =
          "Base checkpoint (config.json, weights, tokenizer.json): a folder (safetensors or"
              + " pytorch_model.bin), a .gguf file, a Hadoop URI, a HuggingFace model id"
              + " ORG/NAME[@REV] (the local cache, else the Hub) or hf://ORG/NAME[@REV][/path].")
  String base;

  @Option(
      names = {"-f", "--finetuned"},
      required = true,
      paramLabel = "FINETUNED",
      description =
          "Fine-tuned checkpoint, in any BASE form, or a PEFT LoRA adapter folder applied to"
              + " BASE in the forward pass.")
  String finetuned;

  @Option(
      names = {"-p", "--prompts"},
      required = true,
      paramLabel = "PROMPTS",
      description = Prompts.DESCRIPTION)
  List<String> prompts;

  @Option(
      names = "--shared-tokenizer",
      description =
          "Feed both models the base's tokens (default: each its own, refusing prompts they"
              + " tokenize differently).")
  boolean sharedTokenizer;

  @Mixin LongPromptsOption longPrompts;

  @Mixin ForwardBatchOptions batching;

  @Mixin DownloadOption hub;
  @Mixin OutputOptions outputs;
  @Mixin RunOptions run;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    long started = System.currentTimeMillis();
    List<String> texts = Prompts.parse(prompts);
    batching.check();
    outputs.check(run);
    base = CheckpointArgs.locate(base, null, hub.download);
    finetuned = CheckpointArgs.locateOver(finetuned, base, null, hub.download);
    List<PromptPair> pairs =
        tokenize(base, finetuned, texts, sharedTokenizer, longPrompts.allowLongPrompts);
    SparkSession spark = run.startSpark("deltascope activation-diff");
    List<ActivationMetricsRow> rows =
        activationRows(spark, base, finetuned, pairs, batching.batchSize, batching.memoryBudgetGb);
    ActivationDiffResult result = ActivationDiffResult.of(base, finetuned, pairs, rows);
    var out = spec.commandLine().getOut();
    outputs.report(
        out,
        ForwardReports.activationDiffText(result),
        () -> ForwardReports.activationDiffJson(result),
        ReportDocuments::activation);
    var options = JsonReport.MAPPER.createObjectNode();
    options.put("prompts", texts.size());
    options.put("shared_tokenizer", sharedTokenizer);
    var stored =
        new ForwardResultsWriter.Run(
            "activation-diff", base, finetuned, started, options.toString());
    outputs.store(
        out,
        ForwardResultsWriter.of(
            spark, stored, ForwardResultsWriter.ACTIVATION_METRICS, result.rows()));
    return Main.OK;
  }

  /** The cosine rows of every prompt and layer, computed on Spark. */
  static List<ActivationMetricsRow> activationRows(
      SparkSession spark,
      String base,
      String finetuned,
      List<PromptPair> pairs,
      int batchSize,
      double memoryBudgetGb) {
    var batching = ForwardJobs.Batching.of(base, finetuned, batchSize, memoryBudgetGb);
    return ForwardJobs.activationMetrics(spark, base, finetuned, pairs, batching).collectAsList();
  }

  // On the driver: both checkpoints checked and every prompt tokenized before Spark starts.
  static List<PromptPair> tokenize(
      String base,
      String finetuned,
      List<String> texts,
      boolean sharedTokenizer,
      boolean allowLongPrompts) {
    List<PromptPair> pairs = new ArrayList<>();
    DecoderConfig baseConfig = ForwardModels.checkModel(base);
    DecoderConfig finetunedConfig = ForwardModels.checkModel(finetuned);
    try (PromptTokenizer a = PromptTokenizer.open(base);
        PromptTokenizer b = sharedTokenizer ? null : PromptTokenizer.open(finetuned)) {
      for (int i = 0; i < texts.size(); i++) {
        Tokens ta = a.encode(texts.get(i));
        Tokens tb = sharedTokenizer ? ta : b.encode(texts.get(i));
        if (!ta.sameIds(tb)) {
          throw new UserException(
              String.format(
                  "prompt %d \"%s\": the base tokenizes it as %s (%d tokens) but the fine-tune as"
                      + " %s (%d tokens); pass --shared-tokenizer to give both the base's tokens",
                  i + 1, texts.get(i), ta.tokens(), ta.length(), tb.tokens(), tb.length()));
        }
        String what = "prompt " + (i + 1);
        baseConfig.checkPromptLength(what, ta.length(), base, allowLongPrompts);
        finetunedConfig.checkPromptLength(what, tb.length(), finetuned, allowLongPrompts);
        pairs.add(new PromptPair(i, texts.get(i), ta, tb));
      }
    }
    return pairs;
  }
}
