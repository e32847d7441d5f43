package io.deltascope.report.html;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.Fixtures;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diagnosis.TrajectoryFindings;
import io.deltascope.diff.LocalDiff;
import io.deltascope.diff.Trajectory;
import io.deltascope.diff.TrajectoryResult;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.report.TrajectoryJson;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trajectory page's markup, without Spark or a browser (the browser test reads the DOM). */
class TrajectoryReportTest {

  @Test
  void rendersEverySectionOfAThreeCheckpointTrajectory() {
    List<String> locations =
        List.of("llama-base", "llama-sft", "llama-lora-merged").stream()
            .map(m -> Fixtures.model(m).toString())
            .toList();
    Trajectory trajectory = Trajectory.of(locations);
    List<Checkpoint> opened = locations.stream().map(Checkpoint::open).toList();
    List<WeightDiffResult> results =
        trajectory.pairs().stream()
            .map(p -> LocalDiff.of(opened.get(p.from()), opened.get(p.to())))
            .toList();
    TrajectoryResult result = new TrajectoryResult(trajectory, results);
    ObjectNode json =
        TrajectoryJson.of(
            result, results.stream().map(Diagnosis::of).toList(), TrajectoryFindings.of(result));
    String html = HtmlReport.render(ReportDocuments.trajectory(json));
    assertThat(html)
        .contains(
            "<section id=\"overview\">",
            "<section id=\"over-steps\">",
            "<section id=\"steps-heatmap\">",
            "<section id=\"pairs\">",
            "href=\"#pair-0-2\"",
            "id=\"pair-0-2\"",
            "data-metric=\"effective_rank\" data-layer=\"3\"");
    // 3 metrics x 4 layers x 2 views
    assertThat(html.split("<div class=\"view\" data-view=").length - 1).isEqualTo(24);
  }
}
