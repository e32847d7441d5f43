package io.deltascope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.job.SparkSessions;
import io.deltascope.job.WeightDiffJob;
import io.deltascope.report.JsonReport;
import io.deltascope.report.TerminalReport;
import io.deltascope.report.html.ReportDocuments;
import java.nio.file.Path;
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
  @Mixin RunOptions run;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return WeightDiffRun.execute(base, finetuned, outputs, run, spec.commandLine().getOut());
  }

  /** The shared body of weight-diff and demo. */
  static final class WeightDiffRun {
    private WeightDiffRun() {}

    static int execute(
        String base,
        String finetuned,
        WeightDiffOutputs outputs,
        RunOptions run,
        java.io.PrintWriter out) {
      outputs.check();
      long started = System.currentTimeMillis();
      // headers first, on the driver: bad input fails before Spark starts
      WeightDiffPlan plan = WeightDiffPlan.of(Checkpoint.open(base), Checkpoint.open(finetuned));
      SparkSession spark = SparkSessions.start(run.master, "deltascope weight-diff");
      WeightDiffResult result = WeightDiffJob.run(spark, plan, run.showProgress());
      out.print(TerminalReport.weightDiff(result, outputs.topN));
      out.flush();
      if (outputs.output != null) {
        ObjectNode json = JsonReport.weightDiff(result);
        ReportFiles.write(outputs.output, json, ReportDocuments.weightDiff(json));
      }
      if (outputs.results != null) {
        String runId = outputs.runId();
        ResultsWriter.weightDiff(
            spark, outputs.results, runId, result, started, outputs.optionsJson());
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
        description = "Also write the result to FILE: .json, or .html for the report.")
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
        ReportFiles.check(output);
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
      var node = JsonReport.MAPPER.createObjectNode();
      node.put("top_n", topN);
      return node.toString();
    }
  }
}
