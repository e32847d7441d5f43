package io.deltascope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.Locations;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diagnosis.Finding;
import io.deltascope.diagnosis.PairFacts;
import io.deltascope.diagnosis.TrajectoryFindings;
import io.deltascope.diff.QuantizedFile;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.Trajectory;
import io.deltascope.diff.TrajectoryResult;
import io.deltascope.diff.WeightDiffPlan;
import io.deltascope.job.TrajectoryJob;
import io.deltascope.report.JsonReport;
import io.deltascope.report.TrajectoryJson;
import io.deltascope.report.TrajectoryTerminal;
import io.deltascope.report.html.ReportDocuments;
import io.deltascope.results.RunRow;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deltascope trajectory}: a training run's checkpoints, every step (k -> k+1) and every
 * checkpoint against the first (0 -> k), in one Spark job that reads each checkpoint once.
 */
@Command(
    name = "trajectory",
    mixinStandardHelpOptions = true,
    description =
        "Compare a training run's checkpoints: every step (k -> k+1) and every checkpoint against"
            + " the first (0 -> k), in one Spark job that reads each checkpoint once.")
final class TrajectoryCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoints",
      required = true,
      paramLabel = "LIST",
      description =
          "The checkpoints in training order: \"a,b,c\" or @FILE (one a line); each anything"
              + " weight-diff accepts.")
  String checkpoints;

  @Option(
      names = "--revision",
      paramLabel = "REV",
      description = "Revision of HuggingFace model ids (default main); org/name@REV sets one's.")
  String revision;

  @Mixin OutputOptions outputs;
  @Mixin SpectraOptions spectra;
  @Mixin RunOptions run;
  @Mixin ProgressOption progress;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    outputs.check(run);
    SpectrumSettings settings = spectra.settings();
    List<String> locations =
        Prompts.items(checkpoints, "--checkpoints", "checkpoint").stream()
            .map(a -> CheckpointArgs.locate(a, revision))
            .toList();
    if (locations.size() < 2) {
      throw new UsageException(
          "--checkpoints: a trajectory needs at least 2 checkpoints, not " + locations.size());
    }
    Trajectory trajectory = Trajectory.of(locations);
    long started = System.currentTimeMillis();
    // local headers are read before Spark starts, so bad input fails at once
    SparkSession spark = null;
    if (CheckpointArgs.anyRemote(locations.toArray(String[]::new))) {
      spark = run.startSpark("deltascope trajectory");
    }
    List<Checkpoint> opened = locations.stream().map(Checkpoint::open).toList();
    SparkSession session = spark != null ? spark : run.startSpark("deltascope trajectory");
    List<WeightDiffPlan> plans = TrajectoryJob.plans(trajectory, opened);
    TrajectoryResult result =
        TrajectoryJob.run(session, trajectory, plans, progress.show(), settings);
    // each pair diagnosed with the facts weight-diff has of it: both configs, the quantized sides
    List<Diagnosis> diagnoses = new ArrayList<>();
    List<List<QuantizedFile>> quantized = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) {
      PairFacts facts = PairFacts.of(plans.get(i));
      diagnoses.add(Diagnosis.of(result.results().get(i), facts));
      quantized.add(facts.quantized());
    }
    List<Finding> findings = TrajectoryFindings.of(result);
    PrintWriter out = spec.commandLine().getOut();
    outputs.report(
        out,
        TrajectoryTerminal.render(result, findings),
        () -> TrajectoryJson.of(result, diagnoses, quantized, findings),
        ReportDocuments::trajectory);
    String what = "trajectory " + outputs.runId() + " (" + trajectory.pairs().size() + " runs)";
    outputs.store(out, what, (store, id) -> store(session, store, id, result, diagnoses, started));
    return Main.OK;
  }

  /** Each pair as a run of one batch: run id ID-FROM-TO, batch_id ID, its step indices. */
  private void store(
      SparkSession spark,
      String store,
      String id,
      TrajectoryResult result,
      List<Diagnosis> diagnoses,
      long started) {
    String options = options();
    List<Trajectory.Pair> pairs = result.trajectory().pairs();
    List<String> locations = result.trajectory().checkpoints();
    for (int i = 0; i < pairs.size(); i++) {
      Trajectory.Pair p = pairs.get(i);
      RunRow row =
          ResultsWriter.run(
              id + "-" + p.name(),
              locations.get(p.from()),
              locations.get(p.to()),
              started,
              options);
      row.setPair(p.name());
      row.setBatchId(id);
      row.setStepFrom(p.from());
      row.setStepTo(p.to());
      ResultsWriter.weightDiff(spark, store, row, result.results().get(i), diagnoses.get(i));
    }
  }

  private String options() {
    ObjectNode node = JsonReport.MAPPER.createObjectNode();
    var list = node.putArray("checkpoints");
    Prompts.items(checkpoints, "--checkpoints", "checkpoint")
        .forEach(c -> list.add(Locations.redact(c)));
    return spectra.optionsJson(node);
  }
}
