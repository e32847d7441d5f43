package io.deltascope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diagnosis.PairFacts;
import io.deltascope.diff.QuantizedFile;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.job.WeightDiffJob;
import io.deltascope.report.JsonReport;
import io.deltascope.report.TensorListing;
import io.deltascope.report.TerminalReport;
import io.deltascope.report.html.FullSpectra;
import io.deltascope.report.html.ReportDocuments;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deltascope weight-diff}: every tensor of two checkpoints compared. */
@Command(
    name = "weight-diff",
    mixinStandardHelpOptions = true,
    description = "Compare every tensor of two checkpoints.")
final class WeightDiffCommand implements Callable<Integer> {
  @Option(
      names = {"-b", "--base"},
      required = true,
      paramLabel = "BASE",
      description =
          "Base checkpoint: a HuggingFace folder (safetensors or pytorch_model.bin, sharded or"
              + " not), a .safetensors, .bin or .gguf file, a Hadoop URI (s3a://...), a"
              + " HuggingFace model id ORG/NAME[@REV] (the local cache, else the Hub) or"
              + " hf://ORG/NAME[@REV][/subfolder].")
  String base;

  @Option(
      names = {"-f", "--finetuned"},
      required = true,
      paramLabel = "FINETUNED",
      description =
          "Fine-tuned checkpoint, in any BASE form, or a PEFT LoRA adapter folder"
              + " (adapter_config.json, adapter_model.safetensors) applied to BASE.")
  String finetuned;

  @Option(
      names = "--revision",
      paramLabel = "REV",
      description =
          "Revision of HuggingFace model ids (a branch, tag or commit; default main);"
              + " org/name@REV sets one side's.")
  String revision;

  @Mixin DownloadOption hub;

  @Mixin WeightDiffOutputs outputs;
  @Mixin SpectraOptions spectra;
  @Mixin GateOptions gate;
  @Mixin RunOptions run;
  @Mixin ProgressOption progress;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    gate.checks();
    String baseLocation = CheckpointArgs.locate(base, revision, hub.download);
    WeightDiffResult result =
        WeightDiffRun.execute(
            baseLocation,
            CheckpointArgs.locateOver(finetuned, baseLocation, revision, hub.download),
            outputs,
            spectra,
            run,
            progress.show(),
            spec.commandLine().getOut());
    return gate.exitCode(result, spec.commandLine().getErr());
  }

  /** The shared body of weight-diff and demo. */
  static final class WeightDiffRun {
    private WeightDiffRun() {}

    /** Runs weight-diff, renders and stores its result, and returns it. */
    static WeightDiffResult execute(
        String base,
        String finetuned,
        WeightDiffOutputs outputs,
        SpectraOptions spectra,
        RunOptions run,
        boolean showProgress,
        PrintWriter out) {
      outputs.check(run);
      SpectrumSettings settings = spectra.settings();
      long started = System.currentTimeMillis();
      // Local headers are read before Spark starts, so bad input fails at once; remote ones need
      // the session's file system settings first.
      SparkSession spark = null;
      if (CheckpointArgs.anyRemote(base, finetuned)) {
        spark = run.startSpark("deltascope weight-diff");
      }
      WeightDiffPlan plan = WeightDiffPlan.of(Checkpoint.open(base), Checkpoint.open(finetuned));
      if (outputs.structureOnly && outputs.results == null) {
        WeightDiffResult result = WeightDiffResult.headersOnly(plan);
        return render(result, Diagnosis.of(result, PairFacts.of(plan)), plan, outputs, out);
      }
      SparkSession session = spark != null ? spark : run.startSpark("deltascope weight-diff");
      WeightDiffResult result =
          outputs.structureOnly
              ? WeightDiffResult.headersOnly(plan)
              : WeightDiffJob.run(session, plan, showProgress, settings);
      Diagnosis diagnosis = Diagnosis.of(result, PairFacts.of(plan));
      render(result, diagnosis, plan, outputs, out);
      outputs.store(
          out,
          (store, runId) ->
              ResultsWriter.weightDiff(
                  session,
                  store,
                  runId,
                  result,
                  diagnosis,
                  started,
                  spectra.optionsJson(outputs.options())));
      return result;
    }

    private static WeightDiffResult render(
        WeightDiffResult result,
        Diagnosis diagnosis,
        WeightDiffPlan plan,
        WeightDiffOutputs outputs,
        PrintWriter out) {
      List<QuantizedFile> quantized = QuantizedFile.of(plan);
      outputs.report(
          out,
          outputs.structureOnly
              ? TerminalReport.structureOnly(result, diagnosis)
              : TerminalReport.weightDiff(
                  result, outputs.topN, quantized, diagnosis, outputs.tensorListing()),
          () -> JsonReport.weightDiff(result, quantized, diagnosis),
          json -> ReportDocuments.weightDiff(FullSpectra.attach(json, result.rows())));
      return result;
    }
  }

  /** Output options of weight-diff and demo: the shared ones, and what only they have. */
  static final class WeightDiffOutputs extends OutputOptions {
    @Option(
        names = "--structure-only",
        description =
            "Compare names, shapes, dtypes and metadata from the headers alone (a few KB per"
                + " shard), without reading any tensor.")
    boolean structureOnly;

    @Option(
        names = "--top-n",
        defaultValue = "20",
        paramLabel = "N",
        description =
            "How many of the most changed components to list (default: ${DEFAULT-VALUE}).")
    int topN;

    @Option(
        names = "--tensors",
        negatable = true,
        description =
            "Print one row per tensor (relative change, cosine, L2, max and mean |diff|,"
                + " effective rank, top-k energy share, sparsity); the default for pairs with at"
                + " most 64 tensors.")
    Boolean tensors;

    @Option(
        names = "--sort",
        paramLabel = "METRIC[:asc]",
        description =
            "Sort the tensor table by METRIC, largest first (':asc' for smallest first): any of"
                + " n_params, relative_delta, cosine, l2_distance, max_abs_diff, mean_abs_diff,"
                + " effective_rank, top_k_energy_share, sparsity, ...")
    String sort;

    @Option(
        names = "--filter",
        paramLabel = "REGEX",
        description = "List only tensors whose name contains a match of REGEX.")
    String filter;

    @Option(names = "--limit", paramLabel = "N", description = "List at most N tensors.")
    Integer limit;

    @Override
    void check(RunOptions run) {
      if (topN < 0) {
        throw new UsageException("--top-n must be 0 or more, not " + topN);
      }
      tensorListing();
      super.check(run);
    }

    /** The per-tensor table as asked; a bad value is a usage error (exit 2). */
    TensorListing tensorListing() {
      try {
        return TensorListing.parse(tensors, sort, filter, limit);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }

    ObjectNode options() {
      var node = JsonReport.MAPPER.createObjectNode();
      node.put("top_n", topN);
      node.put("structure_only", structureOnly);
      return node;
    }
  }
}
