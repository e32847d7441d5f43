package io.deltascope.report;

import io.deltascope.diagnosis.Finding;
import io.deltascope.diff.Summary;
import io.deltascope.diff.Trajectory;
import io.deltascope.diff.TrajectoryResult;
import java.util.List;
import java.util.Locale;

/** The trajectory on a terminal: the checkpoints, one row per pair, then the findings. */
public final class TrajectoryTerminal {
  private TrajectoryTerminal() {}

  public static String render(TrajectoryResult result, List<Finding> findings) {
    StringBuilder out = new StringBuilder();
    Trajectory t = result.trajectory();
    out.append("Trajectory of ").append(t.checkpoints().size()).append(" checkpoints\n");
    for (int i = 0; i < t.checkpoints().size(); i++) {
      out.append(String.format(Locale.ROOT, "  %2d  %s%n", i, t.checkpoints().get(i)));
    }
    out.append('\n')
        .append(
            String.format(
                Locale.ROOT,
                "%-8s %-12s %8s %14s %14s %14s%n",
                "Pair",
                "Kind",
                "Tensors",
                "Mean rel.",
                "Max rel.",
                "Mean cosine"))
        .append("-".repeat(75))
        .append('\n');
    for (Trajectory.Pair p : t.pairs()) {
      Summary s = result.of(p).summary();
      out.append(
          String.format(
              Locale.ROOT,
              "%-8s %-12s %8d %14s %14s %14s%n",
              p.from() + " -> " + p.to(),
              p.kind().label(),
              s.tensorsCompared(),
              TerminalReport.number(s.meanMatrixRelativeDelta()),
              TerminalReport.number(s.maxRelativeDelta()),
              TerminalReport.number(s.meanCosine())));
    }
    if (!findings.isEmpty()) {
      out.append("\nFindings\n");
      for (Finding f : findings) {
        out.append("  [")
            .append(f.severity())
            .append("] ")
            .append(f.title())
            .append("\n      ")
            .append(f.detail())
            .append('\n');
      }
    }
    return out.toString();
  }
}
