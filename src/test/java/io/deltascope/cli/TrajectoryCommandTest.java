package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import io.deltascope.results.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** trajectory over the bundled Llama checkpoints: its pairs are the weight-diffs, exactly. */
class TrajectoryCommandTest {
  @TempDir static Path dir;
  private static final List<String> MODELS =
      List.of("llama-base", "llama-sft", "llama-lora-merged", "llama-sft-resized");
  private static String store;
  private static CliRun trajectory;
  private static JsonNode json;

  @BeforeAll
  static void run() throws IOException {
    store = dir.resolve("store").toString();
    Path list =
        Files.writeString(
            dir.resolve("checkpoints.txt"),
            String.join("\n\n", MODELS.stream().map(TrajectoryCommandTest::local).toList()) + "\n");
    Path out = dir.resolve("trajectory.json");
    trajectory =
        CliRun.of(
            "trajectory",
            "--checkpoints",
            "@" + list,
            "--results",
            store,
            "--run-id",
            "traj",
            "-o",
            out.toString());
    assertThat(trajectory.exitCode()).as(trajectory.err()).isZero();
    json = Fixtures.json(out);
    // the weight-diffs a user would otherwise run, one per pair
    for (int[] p : new int[][] {{0, 1}, {1, 2}, {2, 3}, {0, 2}, {0, 3}}) {
      CliRun single =
          CliRun.of(
              "weight-diff",
              "-b",
              local(MODELS.get(p[0])),
              "-f",
              local(MODELS.get(p[1])),
              "--results",
              store,
              "--run-id",
              "single-" + p[0] + "-" + p[1]);
      assertThat(single.exitCode()).as(single.err()).isZero();
    }
  }

  @Test
  void everyPairEqualsItsWeightDiffExactly() {
    Dataset<Row> metrics =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("tensor_metrics");
    String[] columns =
        Tables.TENSOR_METRICS_COLUMNS.stream()
            .filter(c -> !c.equals(Tables.RUN_ID))
            .toArray(String[]::new);
    for (String pair : List.of("0-1", "1-2", "2-3", "0-2", "0-3")) {
      Dataset<Row> fromTrajectory =
          metrics.where("run_id = 'traj-" + pair + "'").selectExpr(columns);
      Dataset<Row> single = metrics.where("run_id = 'single-" + pair + "'").selectExpr(columns);
      assertThat(fromTrajectory.count()).as(pair).isEqualTo(single.count()).isGreaterThan(30);
      assertThat(fromTrajectory.exceptAll(single).count()).as(pair).isZero();
      assertThat(single.exceptAll(fromTrajectory).count()).as(pair).isZero();
    }
  }

  @Test
  void storesEachPairAsARunOfOneBatchWithItsSteps() {
    List<Row> runs =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("runs")
            .where("batch_id = 'traj'")
            .orderBy("step_to", "step_from")
            .select("run_id", "pair", "step_from", "step_to", "status", "base", "finetuned")
            .collectAsList();
    assertThat(runs)
        .extracting(r -> r.getString(0))
        .containsExactly("traj-0-1", "traj-0-2", "traj-1-2", "traj-0-3", "traj-2-3");
    Row last = runs.get(3); // traj-0-3
    assertThat(last.getInt(2)).isZero();
    assertThat(last.getInt(3)).isEqualTo(3);
    assertThat(last.getString(4)).isEqualTo("succeeded");
    assertThat(last.getString(5)).isEqualTo(local("llama-base"));
    assertThat(last.getString(6)).isEqualTo(local("llama-sft-resized"));
    // a single run has no steps
    Row single =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("runs")
            .where("run_id = 'single-0-1'")
            .select("step_from", "batch_id")
            .first();
    assertThat(single.isNullAt(0)).isTrue();
    assertThat(single.isNullAt(1)).isTrue();
  }

  @Test
  void theJsonListsCheckpointsAndPairsWithTheWeightDiffDocumentsFields() throws IOException {
    List<String> checkpoints = new ArrayList<>();
    json.get("checkpoints").forEach(c -> checkpoints.add(c.asText()));
    assertThat(checkpoints)
        .containsExactlyElementsOf(MODELS.stream().map(TrajectoryCommandTest::local).toList());
    List<String> pairs = new ArrayList<>();
    json.get("pairs")
        .forEach(
            p ->
                pairs.add(
                    p.get("from").asInt()
                        + "-"
                        + p.get("to").asInt()
                        + " "
                        + p.get("kind").asText()));
    assertThat(pairs)
        .containsExactly(
            "0-1 consecutive",
            "1-2 consecutive",
            "2-3 consecutive",
            "0-2 from_first",
            "0-3 from_first");
    Path single = dir.resolve("single.json");
    CliRun run =
        CliRun.of(
            "weight-diff",
            "-b",
            local("llama-sft"),
            "-f",
            local("llama-lora-merged"),
            "-o",
            single.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode expected = Fixtures.json(single);
    JsonNode pair = json.get("pairs").get(1);
    for (String field : List.of("tensors", "layers", "summary", "structural")) {
      assertThat(pair.get(field)).as(field).isEqualTo(expected.get(field));
    }
    // how the document was made: the command as typed, the stored run's id
    JsonNode provenance = json.get("provenance");
    assertThat(provenance.get("command_line").asText())
        .startsWith("deltascope trajectory --checkpoints @");
    assertThat(provenance.get("run_id").asText()).isEqualTo("traj");
    assertThat(provenance.get("options").get("--results").asText()).isEqualTo(store);
    assertThat(provenance.get("version").asText()).isEqualTo(io.deltascope.report.Version.get());
    // the resized pair records its structural change, as weight-diff does
    assertThat(json.get("pairs").get(2).get("structural").get("shape_changed")).hasSize(2);
    assertThat(trajectory.out())
        .contains("Trajectory of 4 checkpoints")
        .containsPattern("2 -> 3\\s+consecutive\\s+39");
  }

  @Test
  void eachPairsDiagnosisIsTheWeightDiffsOfTheSamePair() throws IOException {
    // the stored runs: the same kind, profile and words as the single weight-diffs
    Dataset<Row> runs =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store).table("runs");
    for (String pair : List.of("0-1", "1-2", "2-3", "0-2", "0-3")) {
      Row traj =
          runs.where("run_id = 'traj-" + pair + "'").select("kind", "profile", "diagnosis").first();
      Row single =
          runs.where("run_id = 'single-" + pair + "'")
              .select("kind", "profile", "diagnosis")
              .first();
      assertThat(traj.toSeq().toList()).as(pair).isEqualTo(single.toSeq().toList());
    }
    // a pair only the configs tell apart: llama and qwen2 of one shape are unrelated models
    Path trajectoryJson = dir.resolve("llama-qwen2.json");
    Path singleJson = dir.resolve("llama-qwen2-single.json");
    String llama = local("llama-sft");
    String qwen2 = local("qwen2-sft");
    CliRun t =
        CliRun.of(
            "trajectory", "--checkpoints", llama + "," + qwen2, "-o", trajectoryJson.toString());
    assertThat(t.exitCode()).as(t.err()).isZero();
    CliRun w = CliRun.of("weight-diff", "-b", llama, "-f", qwen2, "-o", singleJson.toString());
    assertThat(w.exitCode()).as(w.err()).isZero();
    JsonNode expected = Fixtures.json(singleJson).get("diagnosis");
    assertThat(expected.get("kind").asText()).isEqualTo("unrelated");
    assertThat(Fixtures.json(trajectoryJson).get("pairs").get(0).get("diagnosis"))
        .isEqualTo(expected);
  }

  @Test
  void fewerThanTwoCheckpointsOrAMissingOneIsOneLineAndNothingWritten() {
    // a usage error, as the README's exit codes say
    CliRun one = CliRun.of("trajectory", "--checkpoints", local("llama-base"));
    assertThat(one.exitCode()).isEqualTo(Main.USAGE);
    assertThat(one.errorLine())
        .isEqualTo(
            "deltascope: error: --checkpoints: a trajectory needs at least 2 checkpoints, not 1");
    String other = dir.resolve("other-store").toString();
    Path missing = dir.resolve("no-such-checkpoint");
    CliRun bad =
        CliRun.of(
            "trajectory",
            "--checkpoints",
            local("llama-base") + "," + missing,
            "--results",
            other,
            "-o",
            dir.resolve("bad.json").toString());
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.errorLine())
        .isEqualTo("deltascope: error: " + missing + ": no such file or folder");
    assertThat(Path.of(other)).doesNotExist();
    assertThat(dir.resolve("bad.json")).doesNotExist();
  }

  private static String local(String model) {
    return Fixtures.model(model).toString();
  }
}
