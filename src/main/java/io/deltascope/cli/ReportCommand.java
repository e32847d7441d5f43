package io.deltascope.cli;

import io.deltascope.job.SparkSessions;
import io.deltascope.report.html.HtmlReport;
import io.deltascope.report.html.ReportDocuments;
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
    description = "Write the HTML report of a stored run (weight-diff runs).")
final class ReportCommand implements Callable<Integer> {
  @Option(
      names = "--results",
      required = true,
      paramLabel = "DIR",
      description = "The results store (a path or Hadoop URI).")
  String results;

  @Option(
      names = "--run",
      required = true,
      paramLabel = "RUN_ID",
      description = "The run to report on.")
  String runId;

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
      throw new UserException(output + ": the report is an HTML file (expected a .html name)");
    }
    OutputFiles.checkWritable(output);
    io.deltascope.results.ResultsStore.checkRunId(runId);
    SparkSession spark = SparkSessions.start(run.master, "deltascope report");
    ReportDocuments docs = StoredReport.load(spark, results, runId);
    OutputFiles.write(output, HtmlReport.render(docs));
    spec.commandLine().getOut().println("Report: " + output);
    return Main.OK;
  }
}
