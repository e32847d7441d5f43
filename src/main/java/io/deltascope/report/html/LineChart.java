package io.deltascope.report.html;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An inline SVG line chart: one line per series, a point per value with a tooltip, marked points
 * drawn larger with a distinct shape (never colour alone), linear or log-10 y axis, the legend in
 * HTML below.
 */
final class LineChart {
  /** Okabe and Ito's palette, distinguishable with colour-vision deficiencies. */
  static final String[] COLORS = {
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000"
  };

  private static final String[] DASHES = {"", "6 3", "2 3"};
  private static final int W = 720;
  private static final int H = 300;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 14;
  private static final int BOTTOM = 44;

  /**
   * @param mark null for an ordinary point, else the CSS class of a marked point ("diverged",
   *     "emergence")
   */
  record Point(double x, double y, String tip, String mark) {}

  private java.util.function.LongFunction<String> xTick = Numbers::count;

  record Series(String label, List<Point> points) {}

  private final String cssClass;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private boolean logY;
  private boolean logX;
  // per series index: a horizontal level drawn in its colour (a tensor's rank floor), its data
  private final java.util.Map<Integer, Level> levels = new java.util.HashMap<>();
  private final java.util.Map<Integer, String> values = new java.util.HashMap<>();
  private Double yMin;
  private Double yMax;
  private Double refY;
  private String refLabel;

  LineChart(String cssClass, String xLabel, String yLabel) {
    this.cssClass = cssClass;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  LineChart logY() {
    logY = true;
    return this;
  }

  /** A log-10 x axis, for values indexed 1..n (a spectrum against its index). */
  LineChart logX() {
    logX = true;
    return this;
  }

  /** A dashed level at {@code y} in the last added series' colour, with a tooltip. */
  LineChart level(double y, String tip) {
    levels.put(series.size() - 1, new Level(y, tip));
    return this;
  }

  /**
   * The last added series' complete data, kept on its group as {@code data-values} when the points
   * drawn are a thinned subset.
   */
  LineChart values(String text) {
    values.put(series.size() - 1, text);
    return this;
  }

  private record Level(double y, String tip) {}

  LineChart yRange(double min, double max) {
    yMin = min;
    yMax = max;
    return this;
  }

  /** How the x axis's integer ticks read (the layer -1 as "embed"); plain counts by default. */
  LineChart xTicks(java.util.function.LongFunction<String> label) {
    this.xTick = label;
    return this;
  }

  /** A dashed horizontal line at {@code y}, labelled. */
  LineChart reference(double y, String label) {
    refY = y;
    refLabel = label;
    return this;
  }

  LineChart add(Series s) {
    series.add(s);
    return this;
  }

  static String color(int i) {
    return COLORS[i % COLORS.length];
  }

  static String dash(int i) {
    return DASHES[(i / COLORS.length) % DASHES.length];
  }

  String render() {
    List<Point> all = series.stream().flatMap(s -> s.points().stream()).toList();
    List<Point> usable = all.stream().filter(this::drawn).toList();
    double x0 = usable.stream().mapToDouble(Point::x).min().orElse(0);
    double x1 = usable.stream().mapToDouble(Point::x).max().orElse(1);
    if (x1 == x0) {
      x1 = x0 + 1;
    }
    double y0 = yMin != null ? yMin : usable.stream().mapToDouble(Point::y).min().orElse(0);
    double y1 = yMax != null ? yMax : usable.stream().mapToDouble(Point::y).max().orElse(1);
    for (Level l : levels.values()) {
      if (finite(l.y()) && (!logY || l.y() > 0)) {
        y0 = Math.min(y0, l.y());
        y1 = Math.max(y1, l.y());
      }
    }
    if (logY) {
      y0 = Math.pow(10, Math.floor(Math.log10(y0)));
      y1 = Math.pow(10, Math.ceil(Math.log10(y1)));
      if (y1 <= y0) {
        y1 = y0 * 10;
      }
    } else if (y1 <= y0) {
      y0 -= 0.5;
      y1 += 0.5;
    }
    Scale sx = new Scale(x0, x1, LEFT, W - RIGHT, logX);
    Scale sy = new Scale(y0, y1, H - BOTTOM, TOP, logY);

    StringBuilder svg = new StringBuilder();
    svg.append("<figure class=\"chart ")
        .append(cssClass)
        .append("\"><svg viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(H)
        .append("\" role=\"img\" aria-label=\"")
        .append(Html.esc(yLabel + " by " + xLabel))
        .append("\">");
    axes(svg, sx, sy);
    if (refY != null && refY >= Math.min(y0, y1) && refY <= Math.max(y0, y1)) {
      double y = sy.map(refY);
      svg.append(line(LEFT, y, W - RIGHT, y, "ref"))
          .append("<text class=\"ref-label\" x=\"")
          .append(f(W - RIGHT - 4))
          .append("\" y=\"")
          .append(f(y - 4))
          .append("\" text-anchor=\"end\">")
          .append(Html.esc(refLabel))
          .append("</text>");
    }
    StringBuilder marks = new StringBuilder();
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      StringBuilder path = new StringBuilder();
      for (Point p : s.points()) {
        if (!drawn(p)) {
          continue;
        }
        path.append(path.length() == 0 ? "M" : " L")
            .append(f(sx.map(p.x())))
            .append(',')
            .append(f(sy.map(p.y())));
      }
      svg.append("<g class=\"series\" data-series=\"")
          .append(i)
          .append("\" data-label=\"")
          .append(Html.esc(s.label()))
          .append('"');
      if (values.containsKey(i)) {
        svg.append(" data-values=\"").append(Html.esc(values.get(i))).append('"');
      }
      svg.append("><path class=\"line\" d=\"")
          .append(path)
          .append("\" stroke=\"")
          .append(color(i))
          .append('"');
      if (!dash(i).isEmpty()) {
        svg.append(" stroke-dasharray=\"").append(dash(i)).append('"');
      }
      svg.append("/>");
      level(svg, levels.get(i), sy, color(i));
      for (Point p : s.points()) {
        if (!drawn(p)) {
          continue;
        }
        point(p.mark() == null ? svg : marks, p, sx.map(p.x()), sy.map(p.y()), color(i));
      }
      svg.append("</g>");
    }
    // marked points last, over every line, so that none hides behind another series
    svg.append("<g class=\"marks\">").append(marks).append("</g></svg>");
    legend(svg);
    return svg.append("</figure>").toString();
  }

  private boolean drawn(Point p) {
    return finite(p.y()) && (!logY || p.y() > 0) && (!logX || p.x() > 0);
  }

  private void level(StringBuilder svg, Level l, Scale sy, String color) {
    if (l == null || !finite(l.y()) || (logY && l.y() <= 0)) {
      return;
    }
    double y = sy.map(l.y());
    svg.append("<line class=\"level\" x1=\"")
        .append(LEFT)
        .append("\" x2=\"")
        .append(W - RIGHT)
        .append("\" y1=\"")
        .append(f(y))
        .append("\" y2=\"")
        .append(f(y))
        .append("\" stroke=\"")
        .append(color)
        .append("\" data-y=\"")
        .append(Numbers.raw(l.y()))
        .append("\" data-tip=\"")
        .append(Html.esc(l.tip()))
        .append("\"/>");
  }

  private void point(StringBuilder svg, Point p, double x, double y, String color) {
    // the plotted values, so that tests and scripts read what a point stands for
    String tip =
        " data-tip=\""
            + Html.esc(p.tip())
            + "\" data-x=\""
            + Numbers.raw(p.x())
            + "\" data-y=\""
            + Numbers.raw(p.y())
            + "\" tabindex=\"0\"";
    if (p.mark() == null) {
      svg.append("<circle class=\"pt\" cx=\"")
          .append(f(x))
          .append("\" cy=\"")
          .append(f(y))
          .append("\" r=\"3\" fill=\"")
          .append(color)
          .append('"')
          .append(tip)
          .append("/>");
    } else if (p.mark().equals("emergence")) {
      svg.append("<path class=\"pt mark emergence\" d=\"M")
          .append(f(x))
          .append(',')
          .append(f(y - 8))
          .append(" l8,8 l-8,8 l-8,-8 z\" fill=\"")
          .append(color)
          .append('"')
          .append(tip)
          .append("/>");
    } else {
      svg.append("<path class=\"pt mark ")
          .append(Html.esc(p.mark()))
          .append("\" d=\"M")
          .append(f(x))
          .append(',')
          .append(f(y - 7))
          .append(" l6,11 l-12,0 z\" fill=\"")
          .append(color)
          .append('"')
          .append(tip)
          .append("/>");
    }
  }

  private void axes(StringBuilder svg, Scale sx, Scale sy) {
    svg.append(line(LEFT, TOP, LEFT, H - BOTTOM, "axis"))
        .append(line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, "axis"));
    for (double t : sy.ticks()) {
      double y = sy.map(t);
      svg.append(line(LEFT, y, W - RIGHT, y, "grid"))
          .append("<text class=\"tick\" x=\"")
          .append(LEFT - 6)
          .append("\" y=\"")
          .append(f(y + 4))
          .append("\" text-anchor=\"end\">")
          .append(Html.esc(logY ? Numbers.sig(t, 2) : Numbers.num(t)))
          .append("</text>");
    }
    for (double t : logX ? sx.decades() : sx.integerTicks()) {
      double x = sx.map(t);
      svg.append("<text class=\"tick\" x=\"")
          .append(f(x))
          .append("\" y=\"")
          .append(H - BOTTOM + 16)
          .append("\" text-anchor=\"middle\">")
          .append(Html.esc(xTick.apply((long) t)))
          .append("</text>");
    }
    svg.append("<text class=\"axis-label\" x=\"")
        .append((LEFT + W - RIGHT) / 2)
        .append("\" y=\"")
        .append(H - 6)
        .append("\" text-anchor=\"middle\">")
        .append(Html.esc(xLabel + (logX ? " (log scale)" : "")))
        .append("</text><text class=\"axis-label\" transform=\"translate(14,")
        .append((TOP + H - BOTTOM) / 2)
        .append(") rotate(-90)\" text-anchor=\"middle\">")
        .append(Html.esc(yLabel + (logY ? " (log scale)" : "")))
        .append("</text>");
  }

  private void legend(StringBuilder out) {
    out.append("<figcaption class=\"legend-items\">");
    for (int i = 0; i < series.size(); i++) {
      out.append("<span class=\"item\"><svg width=\"28\" height=\"10\" aria-hidden=\"true\">")
          .append("<line x1=\"0\" y1=\"5\" x2=\"28\" y2=\"5\" stroke-width=\"3\" stroke=\"")
          .append(color(i))
          .append('"');
      if (!dash(i).isEmpty()) {
        out.append(" stroke-dasharray=\"").append(dash(i)).append('"');
      }
      out.append("/></svg>").append(Html.esc(series.get(i).label())).append("</span>");
    }
    out.append("</figcaption>");
  }

  private static String line(double x1, double y1, double x2, double y2, String cls) {
    return "<line class=\""
        + cls
        + "\" x1=\""
        + f(x1)
        + "\" y1=\""
        + f(y1)
        + "\" x2=\""
        + f(x2)
        + "\" y2=\""
        + f(y2)
        + "\"/>";
  }

  static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static boolean finite(double v) {
    return !Double.isNaN(v) && !Double.isInfinite(v);
  }

  /** Maps data values onto pixels, linearly or by log10. */
  record Scale(double d0, double d1, double p0, double p1, boolean log) {
    double map(double v) {
      double a = log ? Math.log10(d0) : d0;
      double b = log ? Math.log10(d1) : d1;
      double x = log ? Math.log10(v) : v;
      return p0 + (x - a) / (b - a) * (p1 - p0);
    }

    List<Double> ticks() {
      List<Double> out = new ArrayList<>();
      if (log) {
        for (double t = d0; t <= d1 * 1.0001; t *= 10) {
          out.add(t);
        }
        return out;
      }
      double step = niceStep((d1 - d0) / 5);
      for (double t = Math.ceil(d0 / step) * step; t <= d1 + step * 1e-9; t += step) {
        out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
      }
      return out;
    }

    /** The powers of ten from d0 to d1, for a log axis whose ends are not decades. */
    List<Double> decades() {
      List<Double> out = new ArrayList<>();
      for (double t = Math.pow(10, Math.ceil(Math.log10(d0) - 1e-9)); t <= d1 * 1.0001; t *= 10) {
        out.add(t);
      }
      return out;
    }

    List<Double> integerTicks() {
      double step = Math.max(1, niceStep((d1 - d0) / 10));
      List<Double> out = new ArrayList<>();
      for (double t = Math.ceil(d0 / step) * step; t <= d1 + 1e-9; t += step) {
        out.add(t);
      }
      return out;
    }

    private static double niceStep(double raw) {
      if (raw <= 0) {
        return 1;
      }
      double mag = Math.pow(10, Math.floor(Math.log10(raw)));
      double r = raw / mag;
      return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    }
  }
}
