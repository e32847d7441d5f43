package io.deltascope.cli;

import io.deltascope.report.html.HtmlReport;
import io.deltascope.report.html.ReportDocuments;
import io.deltascope.report.html.StoredBatch;
import io.deltascope.report.html.StoredReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deltascope report}: the HTML report of a run, rebuilt from a results store. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Write the HTML report of a stored run (weight-diff runs), or of a stored batch or"
            + " trajectory (--batch).")
final class ReportCommand implements Callable<Integer> {
  @Option(
      names = "--results",
      required = true,
      paramLabel = "DIR",
      description = "The results store (a path or Hadoop URI).")
  String results;

  @Option(
      names = "--run",
      paramLabel = "RUN_ID",
      description = "The run to report on (a weight-diff run).")
  String runId;

  @Option(
      names = "--batch",
      paramLabel = "BATCH_ID",
      description =
          "Report on a batch instead: a trajectory's page (charts over steps, steps x layers),"
              + " or any batch's overview, one row and one section per pair.")
  String batchId;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "FILE",
      description = "The report to write (.html).")
  Path output;

  @Mixin RunOptions run;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!ReportFiles.isHtml(output)) {
      throw new UsageException(output + ": the report is an HTML file (expected a .html name)");
    }
    if ((runId == null) == (batchId == null)) {
      throw new UsageException("report needs one of --run RUN_ID or --batch BATCH_ID");
    }
    OutputFiles.checkWritable(output);
    io.deltascope.results.ResultsStore.checkRunId(runId != null ? runId : batchId);
    SparkSession spark = run.startSpark("deltascope report");
    ReportDocuments docs =
        new io.deltascope.results.ResultsStore(spark, results)
            .read(
                () ->
                    runId != null
                        ? StoredReport.load(spark, results, runId)
                        : StoredBatch.load(spark, results, batchId));
    docs = docs.with(Provenances.of(spec, runId != null ? runId : batchId));
    OutputFiles.write(output, HtmlReport.render(docs));
    spec.commandLine().getOut().println("Report: " + output);
    return Main.OK;
  }
}
