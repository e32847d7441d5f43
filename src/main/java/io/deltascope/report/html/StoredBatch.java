package io.deltascope.report.html;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diagnosis.TrajectoryFindings;
import io.deltascope.diff.Trajectory;
import io.deltascope.diff.TrajectoryResult;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.report.JsonReport;
import io.deltascope.report.TrajectoryJson;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.Tables;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A batch of a results store read back as the document its overview renders: a trajectory's runs
 * (every run with its steps) as the trajectory document the command wrote, rebuilt with the same
 * code ({@link TrajectoryJson}, {@link TrajectoryFindings}); any other batch as one entry per pair
 * with its weight-diff fields, or its error.
 */
public final class StoredBatch {
  private StoredBatch() {}

  /**
   * @throws IllegalArgumentException naming the store and the batch when it has no run there
   */
  public static ReportDocuments load(SparkSession spark, String store, String batchId) {
    ResultsStore.checkRunId(batchId);
    ResultsStore results = new ResultsStore(spark, store);
    if (!results.tables().contains(Tables.RUNS)) {
      throw new IllegalArgumentException(
          store + ": not a deltascope results store (it has no " + Tables.RUNS + " table)");
    }
    var table = results.table(Tables.RUNS);
    List<Row> runs =
        new ArrayList<>(table.where(functions.col("batch_id").equalTo(batchId)).collectAsList());
    if (runs.isEmpty()) {
      throw new IllegalArgumentException(store + ": no batch '" + batchId + "' in the runs table");
    }
    runs.sort(Comparator.comparing(r -> String.valueOf(r.<String>getAs(Tables.RUN_ID))));
    boolean steps = Arrays.asList(table.columns()).contains("step_from");
    ObjectNode doc = steps ? trajectory(results, runs) : null;
    if (doc == null) {
      doc = batch(results, batchId, runs);
    }
    ReportDocuments docs =
        ReportDocuments.trajectory(doc)
            .with(StoredReport.storedRun(runs.get(0), doc.get("command").asText(), null));
    Timestamp started =
        runs.stream()
            .map(r -> r.<Timestamp>getAs("started_at"))
            .filter(Objects::nonNull)
            .min(Comparator.naturalOrder())
            .orElse(null);
    return started == null ? docs : docs.withDate(started.toInstant());
  }

  /** The trajectory document, or null when the runs are not one trajectory's pairs. */
  private static ObjectNode trajectory(ResultsStore results, List<Row> runs) {
    Map<List<Integer>, Row> byPair = new HashMap<>();
    Map<Integer, String> locations = new HashMap<>();
    for (Row r : runs) {
      Integer from = r.getAs("step_from");
      Integer to = r.getAs("step_to");
      if (from == null || to == null || !"succeeded".equals(r.getAs("status"))) {
        return null;
      }
      byPair.put(List.of(from, to), r);
      locations.put(from, r.getAs("base"));
      locations.put(to, r.getAs("finetuned"));
    }
    List<String> checkpoints = new ArrayList<>();
    for (int i = 0; i < locations.size(); i++) {
      if (!locations.containsKey(i)) {
        return null;
      }
      checkpoints.add(locations.get(i));
    }
    if (checkpoints.size() < 2) {
      return null;
    }
    Trajectory trajectory = Trajectory.of(checkpoints);
    if (trajectory.pairs().size() != byPair.size()) {
      return null;
    }
    List<WeightDiffResult> pairs = new ArrayList<>();
    List<Diagnosis> diagnoses = new ArrayList<>();
    for (Trajectory.Pair p : trajectory.pairs()) {
      Row run = byPair.get(List.of(p.from(), p.to()));
      if (run == null) {
        return null;
      }
      WeightDiffResult pair = result(results, run);
      pairs.add(pair);
      diagnoses.add(StoredReport.diagnosis(run, pair));
    }
    TrajectoryResult result = new TrajectoryResult(trajectory, List.copyOf(pairs));
    return TrajectoryJson.of(result, diagnoses, TrajectoryFindings.of(result));
  }

  private static ObjectNode batch(ResultsStore results, String batchId, List<Row> runs) {
    ObjectNode doc = JsonReport.MAPPER.createObjectNode();
    doc.put("command", "batch");
    doc.put("batch_id", batchId);
    ArrayNode pairs = doc.putArray("pairs");
    for (Row run : runs) {
      ObjectNode p = pairs.addObject();
      String name = run.getAs("pair");
      p.put("name", name == null ? run.<String>getAs(Tables.RUN_ID) : name);
      p.put("run_id", run.<String>getAs(Tables.RUN_ID));
      p.put("base", run.<String>getAs("base"));
      p.put("finetuned", run.<String>getAs("finetuned"));
      if (!"succeeded".equals(run.getAs("status"))) {
        p.put("error", String.valueOf(run.<String>getAs("error")));
        continue;
      }
      WeightDiffResult result = result(results, run);
      ObjectNode full =
          JsonReport.weightDiff(result, List.of(), StoredReport.diagnosis(run, result));
      TrajectoryJson.PAIR_FIELDS.forEach(f -> p.set(f, full.get(f)));
    }
    return doc;
  }

  private static WeightDiffResult result(ResultsStore results, Row run) {
    String runId = run.getAs(Tables.RUN_ID);
    return StoredReport.result(
        run.getAs("base"), run.getAs("finetuned"), StoredReport.tensorRows(results, runId));
  }
}
