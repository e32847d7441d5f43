package io.deltascope.diff;

import io.deltascope.checkpoint.TensorRole;
import io.deltascope.results.Metric;
import io.deltascope.results.TensorResult;
import io.deltascope.tensor.SpectrumStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Thresholds a pipeline stops on ({@code --fail-if}): "METRIC OP NUMBER" over every compared tensor
 * ("relative_delta > 0.2", "cosine < 0.99"; METRIC one of {@link Metric#gateableNames()}),
 * optionally for one component ("mlp_down: relative_delta > 0.1"), or a named check: {@code nan}
 * (any NaN or infinite value), {@code structural} (any tensor added, removed, reshaped or retyped).
 *
 * <p>A metric that could not be computed on a compared tensor fails its check: a tensor with NaN or
 * infinite values, or one whose metric is undefined (a relative change over a zero base), does not
 * pass a gate because its number is missing. Only a tensor bit-identical on both sides passes
 * without one: nothing changed. A check that reads no tensor at all (a structure-only run, a
 * component the pair does not have) fails too, and a component that no model has is refused when
 * the check is parsed.
 */
public final class Gate {
  private static final Pattern CHECK =
      Pattern.compile(
          "\\s*(?:([a-z_0-9]+)\\s*:\\s*)?([a-z_0-9]+)\\s*(>=|<=|==|!=|>|<)\\s*([-+0-9.eE]+)\\s*");

  private Gate() {}

  /** One check as the user wrote it, parsed. */
  public record Check(String text, String component, String metric, String op, double threshold) {

    boolean crossedBy(double value) {
      return switch (op) {
        case ">" -> value > threshold;
        case ">=" -> value >= threshold;
        case "<" -> value < threshold;
        case "<=" -> value <= threshold;
        case "==" -> value == threshold;
        default -> value != threshold;
      };
    }
  }

  /** A check that failed and what crossed it ("name (value)" or a structural change). */
  public record Failure(Check check, List<String> offenders) {
    public String describe() {
      int shown = Math.min(offenders.size(), 10);
      String list = String.join(", ", offenders.subList(0, shown));
      String more = offenders.size() > shown ? ", and " + (offenders.size() - shown) + " more" : "";
      return String.format(
          Locale.ROOT, "%s: %d crossed: %s%s", check.text(), offenders.size(), list, more);
    }
  }

  /** Parses a check; throws IllegalArgumentException saying what is expected. */
  public static Check parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("nan") || t.equals("structural")) {
      return new Check(t, null, t, "", 0);
    }
    Matcher m = CHECK.matcher(t);
    if (!m.matches() || !Metric.gateableNames().contains(m.group(2))) {
      throw new IllegalArgumentException(
          "--fail-if '"
              + text
              + "': expected 'METRIC OP NUMBER' (METRIC one of "
              + String.join(", ", Metric.gateableNames())
              + "; OP one of > >= < <= == !=), 'COMPONENT: METRIC OP NUMBER', 'nan' or 'structural'");
    }
    String component = m.group(1);
    if (component != null && !TensorRole.components().contains(component)) {
      throw new IllegalArgumentException(
          "--fail-if '"
              + text
              + "': unknown component '"
              + component
              + "' (one of "
              + String.join(", ", TensorRole.components())
              + ")");
    }
    try {
      return new Check(
          text.strip(), component, m.group(2), m.group(3), Double.parseDouble(m.group(4)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--fail-if '" + text + "': '" + m.group(4) + "' is not a number");
    }
  }

  /** The checks {@code result} fails, in the order given; empty when it passes them all. */
  public static List<Failure> evaluate(List<Check> checks, WeightDiffResult result) {
    List<Failure> failures = new ArrayList<>();
    for (Check check : checks) {
      List<String> offenders = offenders(check, result);
      if (!offenders.isEmpty()) {
        failures.add(new Failure(check, offenders));
      }
    }
    return failures;
  }

  private static List<String> offenders(Check check, WeightDiffResult result) {
    List<String> out = new ArrayList<>();
    if (check.metric().equals("structural")) {
      Structural s = result.structural();
      s.onlyInBase().forEach(n -> out.add(n + " (removed)"));
      s.onlyInFinetuned().forEach(n -> out.add(n + " (added)"));
      s.shapeChanged().forEach(c -> out.add(c.name() + " (reshaped)"));
      s.dtypeChanged().forEach(c -> out.add(c.name() + " (retyped)"));
      return out;
    }
    List<TensorResult> measured = measuredRows(check, result);
    if (measured.isEmpty()) {
      out.add(nothingMeasured(check));
    }
    for (TensorResult row : measured) {
      if (check.metric().equals("nan")) {
        if (row.nanCount() + row.infCount() > 0) {
          out.add(
              String.format(
                  Locale.ROOT, "%s (%d NaN, %d Inf)", row.name(), row.nanCount(), row.infCount()));
        }
        continue;
      }
      Metric metric = Metric.named(check.metric()).orElseThrow();
      String missing = notComputed(metric, row);
      Number value = metric.of(row);
      if (missing != null) {
        out.add(row.name() + " (" + missing + ")");
      } else if (value != null && check.crossedBy(value.doubleValue())) {
        out.add(String.format(Locale.ROOT, "%s (%.6g)", row.name(), value.doubleValue()));
      }
    }
    return out;
  }

  // the compared tensors a check reads: those with metrics, of its component if it names one
  private static List<TensorResult> measuredRows(Check check, WeightDiffResult result) {
    return result.rows().stream()
        .filter(TensorResult::hasMetrics)
        .filter(r -> check.component() == null || check.component().equals(r.component()))
        .toList();
  }

  // A check over no tensor computed nothing, so it cannot pass: a structure-only run, or a
  // component this pair does not have (attn_qkv on a model with separate projections).
  private static String nothingMeasured(Check check) {
    return check.component() == null
        ? "no tensor was compared (a structure-only run, or no tensor in common)"
        : "no compared tensor of component " + check.component();
  }

  /**
   * Why {@code metric} cannot stand for the whole of {@code row}, or null when it can: the tensor
   * has non-finite values (the metric covers only the finite positions, or none), or the metric is
   * undefined on a tensor that changed.
   */
  static String notComputed(Metric metric, TensorResult row) {
    long nonFinite = row.nanCount() + row.infCount();
    if (nonFinite > 0 && metric != Metric.NAN_COUNT && metric != Metric.INF_COUNT) {
      return String.format(
          Locale.ROOT,
          "%s not computable: %d of %d values NaN or infinite",
          metric.column(),
          nonFinite,
          row.nParams());
    }
    if (metric.of(row) == null && !identical(row) && !inapplicable(metric, row)) {
      return metric.column() + " undefined: " + whyUndefined(metric, row);
    }
    return null;
  }

  // a spectrum metric of a vector, or of a delta that is exactly zero, has nothing to measure
  private static boolean inapplicable(Metric metric, TensorResult row) {
    return metric.source() == Metric.Source.SPECTRUM
        && (SpectrumStatus.NOT_MATRIX.label().equals(row.spectrumStatus())
            || SpectrumStatus.ZERO_DELTA.label().equals(row.spectrumStatus()));
  }

  private static boolean identical(TensorResult row) {
    return row.zeroFraction() != null && row.zeroFraction() == 1.0;
  }

  private static String whyUndefined(Metric metric, TensorResult row) {
    if (metric.source() == Metric.Source.SPECTRUM) {
      return "no spectrum (" + row.spectrumStatus() + ")";
    }
    if (row.nParams() == 0) {
      return "no values";
    }
    return row.normBase() != null && row.normBase() == 0 ? "the base is all zeros" : "a norm is 0";
  }
}
