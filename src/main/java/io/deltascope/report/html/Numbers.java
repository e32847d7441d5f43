package io.deltascope.report.html;

import java.util.Locale;

/** Numbers formatted for people: a few significant digits, thousands grouped, never "NaN". */
final class Numbers {
  private Numbers() {}

  static final String MISSING = "\u2013"; // en dash

  /** Four significant digits; scientific notation below 1e-3 and from 1e6. */
  static String num(Double v) {
    return sig(v, 4);
  }

  /** Six significant digits: what tooltips show as the exact value. */
  static String exact(Double v) {
    return sig(v, 6);
  }

  static String sig(Double v, int digits) {
    if (v == null || v.isNaN()) {
      return MISSING;
    }
    if (v.isInfinite()) {
      return v > 0 ? "\u221e" : "\u2212\u221e";
    }
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    String s;
    if (a < 1e-3 || a >= 1e6) {
      s = String.format(Locale.ROOT, "%." + (digits - 1) + "e", v);
      s = s.replaceFirst("\\.?0+e", "e").replaceFirst("e([+-])0*(\\d)", "e$1$2").replace("e+", "e");
    } else {
      int decimals = Math.max(0, digits - 1 - (int) Math.floor(Math.log10(a)));
      s = String.format(Locale.ROOT, "%." + decimals + "f", v);
      if (s.contains(".")) {
        s = s.replaceFirst("0+$", "").replaceFirst("\\.$", "");
      }
    }
    return s.startsWith("-") ? "\u2212" + s.substring(1) : s;
  }

  /** 1234567 as "1,234,567". */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Parameter counts as people say them: 4.2M, 1.1B, 950. */
  static String params(long n) {
    if (n >= 1_000_000_000L) {
      return sig(n / 1e9, 3) + "B";
    }
    if (n >= 1_000_000L) {
      return sig(n / 1e6, 3) + "M";
    }
    if (n >= 10_000L) {
      return sig(n / 1e3, 3) + "k";
    }
    return count(n);
  }

  /** A probability as a percentage: 41.2%, 0.03%, &lt;0.01%. */
  static String percent(Double p) {
    if (p == null || p.isNaN()) {
      return MISSING;
    }
    double pct = p * 100;
    if (pct != 0 && Math.abs(pct) < 0.01) {
      return "<0.01%";
    }
    return sig(pct, 3) + "%";
  }

  /** The full double, for data attributes that tests and scripts read back. */
  static String raw(Double v) {
    return v == null || v.isNaN() || v.isInfinite() ? "" : Double.toString(v);
  }
}
