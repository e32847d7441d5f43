package io.deltascope.cli;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.job.SparkSessions;
import io.deltascope.job.WeightDiffJob;
import io.deltascope.report.JsonReport;
import io.deltascope.report.TerminalReport;
import java.nio.file.Path;
import java.util.Locale;
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
      description = "Base checkpoint: a HuggingFace folder or a .safetensors file.")
  String base;

  @Option(
      names = {"-f", "--finetuned"},
      required = true,
      paramLabel = "FINETUNED",
      description = "Fine-tuned checkpoint.")
  String finetuned;

  @Mixin WeightDiffOutputs outputs;
  @Mixin SpectraOptions spectra;
  @Mixin RunOptions run;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return WeightDiffRun.execute(
        base, finetuned, outputs, spectra, run, spec.commandLine().getOut());
  }

  /** The shared body of weight-diff and demo. */
  static final class WeightDiffRun {
    private WeightDiffRun() {}

    static int execute(
        String base,
        String finetuned,
        WeightDiffOutputs outputs,
        SpectraOptions spectra,
        RunOptions run,
        java.io.PrintWriter out) {
      outputs.check();
      SpectrumSettings settings = spectra.settings();
      long started = System.currentTimeMillis();
      // headers first, on the driver: bad input fails before Spark starts
      WeightDiffPlan plan = WeightDiffPlan.of(Checkpoint.open(base), Checkpoint.open(finetuned));
      SparkSession spark = SparkSessions.start(run.master, "deltascope weight-diff");
      WeightDiffResult result = WeightDiffJob.run(spark, plan, run.showProgress(), settings);
      Diagnosis diagnosis = Diagnosis.of(result);
      out.print(TerminalReport.weightDiff(result, diagnosis, outputs.topN));
      out.flush();
      if (outputs.output != null) {
        OutputFiles.write(
            outputs.output, JsonReport.toString(JsonReport.weightDiff(result, diagnosis)));
      }
      if (outputs.results != null) {
        String runId = outputs.runId();
        ResultsWriter.weightDiff(
            spark,
            outputs.results,
            runId,
            result,
            diagnosis,
            started,
            spectra.optionsJson(outputs.options()));
        out.println("Results: run " + runId + " in " + outputs.results);
      }
      return Main.OK;
    }
  }

  /** Output options of weight-diff and demo. */
  static final class WeightDiffOutputs {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Also write the result to FILE (.json).")
    Path output;

    @Option(
        names = "--results",
        paramLabel = "DIR",
        description = "Append this run to the Parquet results store DIR (a path or Hadoop URI).")
    String results;

    @Option(
        names = "--run-id",
        paramLabel = "ID",
        description =
            "Run id in the results store (default: time and a random suffix); an"
                + " existing run with this id is replaced.")
    String runId;

    @Option(
        names = "--top-n",
        defaultValue = "20",
        paramLabel = "N",
        description =
            "How many of the most changed components to list (default: ${DEFAULT-VALUE}).")
    int topN;

    private String generatedRunId;

    void check() {
      if (topN < 0) {
        throw new UserException("--top-n must be 0 or more, not " + topN);
      }
      if (output != null) {
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".json")) {
          throw new UserException(output + ": unknown output format (expected a .json file)");
        }
        OutputFiles.checkWritable(output);
      }
      if (runId != null) {
        io.deltascope.results.ResultsStore.checkRunId(runId);
      }
    }

    String runId() {
      if (runId != null) {
        return runId;
      }
      if (generatedRunId == null) {
        generatedRunId = RunIds.generate();
      }
      return generatedRunId;
    }

    String optionsJson() {
      return options().toString();
    }

    com.fasterxml.jackson.databind.node.ObjectNode options() {
      var node = JsonReport.MAPPER.createObjectNode();
      node.put("top_n", topN);
      return node;
    }
  }
}
