package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Full spectra on log-log axes, each with its rank floor as a dashed line in its colour: where the
 * curve crosses the line is the numerical rank. A long spectrum is thinned for display (the first
 * values, then a fixed number per decade of the index); its every value stays on the series as
 * {@code data-values}.
 */
final class SpectrumChart {
  private SpectrumChart() {}

  /** Spectra up to this long are drawn value by value. */
  static final int DRAWN_WHOLE = 200;

  /** Of a longer one: the first values, then this many per decade of the index. */
  static final int HEAD = 50;

  static final int PER_DECADE = 40;

  static String render(List<JsonNode> tensors) {
    LineChart chart =
        new LineChart("spectra-chart", "index i", "singular value \u03c3\u1d62 of B\u2212A")
            .logX()
            .logY();
    for (JsonNode t : tensors) {
      String name = Json.str(t, "name");
      List<Double> s = FullSpectra.of(t);
      Integer rank = Json.integer(t, io.deltascope.results.Metric.NUMERICAL_RANK.column());
      List<LineChart.Point> points = new ArrayList<>();
      for (int i : shown(s.size(), rank)) {
        points.add(
            new LineChart.Point(
                i + 1,
                s.get(i),
                name + "\n\u03c3" + (i + 1) + " = " + Numbers.exact(s.get(i)),
                null));
      }
      chart
          .add(new LineChart.Series(name, points))
          .values(s.stream().map(Numbers::raw).collect(Collectors.joining(" ")));
      Double floor = Json.dbl(t, io.deltascope.results.Metric.RANK_FLOOR.column());
      if (floor != null) {
        chart.level(
            floor,
            name
                + "\nrank floor "
                + Numbers.exact(floor)
                + ": numerical rank "
                + (rank == null ? Numbers.MISSING : rank)
                + " of "
                + s.size());
      }
    }
    return chart.render()
        + "<p class=\"note spectra-note\">Every singular value of each delta, both axes on a log"
        + " scale; the dashed line in a curve's colour is its rank floor (storage rounding and"
        + " arithmetic noise): the values above it are the numerical rank. Spectra longer than "
        + DRAWN_WHOLE
        + " values are drawn thinned: the first "
        + HEAD
        + ", then "
        + PER_DECADE
        + " per decade.</p>";
  }

  /**
   * The indices drawn, 0-based and ascending: all of a short spectrum; of a long one the first
   * {@link #HEAD}, {@link #PER_DECADE} per decade after, the last value above the floor and the
   * first below it (where the curve crosses its floor), and the last.
   */
  static TreeSet<Integer> shown(int n, Integer rank) {
    TreeSet<Integer> out = new TreeSet<>();
    if (n <= DRAWN_WHOLE) {
      for (int i = 0; i < n; i++) {
        out.add(i);
      }
      return out;
    }
    for (int i = 0; i < HEAD; i++) {
      out.add(i);
    }
    double step = Math.pow(10, 1.0 / PER_DECADE);
    for (double x = HEAD; x < n; x *= step) {
      out.add((int) Math.round(x) - 1);
    }
    if (rank != null && rank > 0 && rank < n) {
      out.add(rank - 1);
      out.add(rank);
    }
    out.add(n - 1);
    return out;
  }
}
