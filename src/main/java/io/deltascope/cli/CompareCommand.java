package io.deltascope.cli;

import io.deltascope.diff.CompareResult;
import io.deltascope.job.ForwardJobs;
import io.deltascope.job.LensWork;
import io.deltascope.model.DecoderConfig;
import io.deltascope.model.PromptTokenizer;
import io.deltascope.model.Tokens;
import io.deltascope.report.ForwardReports;
import io.deltascope.report.JsonReport;
import io.deltascope.report.html.ReportDocuments;
import io.deltascope.results.LogitLensRow;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deltascope compare}: the logit lens of two models on one prompt, layer by layer. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = "Show what two models predict for a prompt at every layer (logit lens).")
final class CompareCommand implements Callable<Integer> {
  @Option(
      names = {"-m1", "--model1"},
      required = true,
      paramLabel = "MODEL1",
      description =
          "First checkpoint: a folder (safetensors or pytorch_model.bin), a .gguf file, a Hadoop"
              + " URI, a HuggingFace model id ORG/NAME[@REV] (the local cache, else the Hub) or"
              + " hf://ORG/NAME[@REV][/path].")
  String model1;

  @Option(
      names = {"-m2", "--model2"},
      required = true,
      paramLabel = "MODEL2",
      description =
          "Second checkpoint, in any MODEL1 form, or a PEFT LoRA adapter folder applied to"
              + " MODEL1.")
  String model2;

  @Option(
      names = {"-p", "--prompt"},
      required = true,
      paramLabel = "PROMPT",
      description =
          "The prompt, verbatim, or @FILE holding one (a text file's one line, or a .jsonl line:"
              + " a JSON string or {\"prompt\": ...}); \\@ starts a prompt with @.")
  String promptArg;

  private String prompt;

  @Option(
      names = "--top-k",
      defaultValue = "5",
      paramLabel = "K",
      description = "Tokens shown per layer (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--track",
      paramLabel = "TOKENS",
      description =
          "Comma-separated strings to follow through the layers, each exactly as written (spaces"
              + " kept: ' Paris' and 'Paris' are different tokens); #1234 is a token id. A"
              + " multi-token string is followed by its first token.")
  String track;

  @Option(
      names = "--tokenizer",
      paramLabel = "FOLDER",
      description =
          "Tokenize for both models with FOLDER/tokenizer.json (default: each model's own; a GGUF"
              + " has none, so give its source folder).")
  String tokenizerFrom;

  @Mixin LongPromptsOption longPrompts;

  @Mixin DownloadOption hub;
  @Mixin OutputOptions outputs;
  @Mixin RunOptions run;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    long started = System.currentTimeMillis();
    prompt = Prompts.single(promptArg);
    if (topK < 1) {
      throw new UsageException("--top-k must be 1 or more, not " + topK);
    }
    outputs.check(run);
    List<String> tracked = TrackedStrings.parse(track);
    List<CompareResult.ModelRequest> requests = new ArrayList<>();
    List<LensWork> work = new ArrayList<>();
    String first = CheckpointArgs.locate(model1, null, hub.download);
    String[] models = {first, CheckpointArgs.locateOver(model2, first, null, hub.download)};
    for (int m = 0; m < models.length; m++) {
      DecoderConfig config = ForwardModels.checkModel(models[m]);
      int vocab = config.vocab();
      try (PromptTokenizer tokenizer =
          PromptTokenizer.open(tokenizerFrom != null ? tokenizerFrom : models[m])) {
        Tokens tokens = tokenizer.encode(prompt);
        config.checkPromptLength(
            "the prompt", tokens.length(), models[m], longPrompts.allowLongPrompts);
        List<CompareResult.TrackedRequest> trackedIds = new ArrayList<>();
        for (String t : tracked) {
          trackedIds.add(TrackedStrings.request(t, tokenizer, vocab, models[m]));
        }
        requests.add(new CompareResult.ModelRequest(m + 1, models[m], tokens.tokens(), trackedIds));
        work.add(
            new LensWork(
                m + 1,
                models[m],
                0,
                prompt,
                tokens.ids(),
                trackedIds.stream().mapToLong(CompareResult.TrackedRequest::id).toArray(),
                tokenizerFrom != null ? tokenizerFrom : models[m]));
      }
    }
    SparkSession spark = run.startSpark("deltascope compare");
    List<LogitLensRow> rows = ForwardJobs.logitLens(spark, work, topK).collectAsList();
    CompareResult result = CompareResult.of(prompt, requests, rows);
    var out = spec.commandLine().getOut();
    outputs.report(
        out,
        ForwardReports.compareText(result),
        () -> ForwardReports.compareJson(result),
        ReportDocuments::compare);
    var options = JsonReport.MAPPER.createObjectNode();
    options.put("prompt", prompt);
    options.put("top_k", topK);
    options.put("track", track);
    var stored =
        new ForwardResultsWriter.Run("compare", model1, model2, started, options.toString());
    outputs.store(
        out,
        ForwardResultsWriter.of(spark, stored, ForwardResultsWriter.LOGIT_LENS, result.rows()));
    return Main.OK;
  }
}
