package io.deltascope.report.html;

import java.util.Locale;

/**
 * The viridis colour map (perceptually uniform, readable with the common colour-vision deficiencies
 * and in grey scale), interpolated between 9 anchors of matplotlib's table.
 */
final class Viridis {
  private Viridis() {}

  private static final int[][] ANCHORS = {
    {0x44, 0x01, 0x54},
    {0x47, 0x2c, 0x7a},
    {0x3b, 0x51, 0x8b},
    {0x2c, 0x71, 0x8e},
    {0x21, 0x90, 0x8d},
    {0x27, 0xad, 0x81},
    {0x5c, 0xc8, 0x63},
    {0xaa, 0xdc, 0x32},
    {0xfd, 0xe7, 0x25}
  };

  /** The colour at {@code t} in [0, 1] (clamped) as #rrggbb. */
  static String at(double t) {
    double x = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t)) * (ANCHORS.length - 1);
    int i = Math.min((int) Math.floor(x), ANCHORS.length - 2);
    double f = x - i;
    int[] a = ANCHORS[i];
    int[] b = ANCHORS[i + 1];
    return String.format(
        Locale.ROOT,
        "#%02x%02x%02x",
        Math.round(a[0] + f * (b[0] - a[0])),
        Math.round(a[1] + f * (b[1] - a[1])),
        Math.round(a[2] + f * (b[2] - a[2])));
  }

  /** Black text on the light end, white on the dark end. */
  static String textOn(double t) {
    return t > 0.55 ? "#000" : "#fff";
  }

  /** A CSS linear gradient through the anchors, for legends. */
  static String gradient() {
    StringBuilder s = new StringBuilder("linear-gradient(to right");
    for (int i = 0; i < ANCHORS.length; i++) {
      s.append(", ").append(at(i / (double) (ANCHORS.length - 1)));
    }
    return s.append(")").toString();
  }
}
