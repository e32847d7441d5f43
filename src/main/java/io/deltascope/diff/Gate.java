package io.deltascope.diff;

import io.deltascope.results.TensorMetricsRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Thresholds a pipeline stops on ({@code --fail-if}): "METRIC OP NUMBER" over every compared tensor
 * ("relative_delta > 0.2", "cosine < 0.99"), optionally for one component ("mlp_down:
 * relative_delta > 0.1"), or a named check: {@code nan} (any NaN or infinite value), {@code
 * structural} (any tensor added, removed, reshaped or retyped).
 */
public final class Gate {
  private static final Pattern CHECK =
      Pattern.compile(
          "\\s*(?:([a-z_0-9]+)\\s*:\\s*)?([a-z_0-9]+)\\s*(>=|<=|==|!=|>|<)\\s*([-+0-9.eE]+)\\s*");

  private static final Map<String, Function<TensorMetricsRow, Number>> METRICS =
      Map.ofEntries(
          Map.entry("relative_delta", TensorMetricsRow::getRelativeDelta),
          Map.entry("cosine", TensorMetricsRow::getCosine),
          Map.entry("l2_distance", TensorMetricsRow::getL2Distance),
          Map.entry("max_abs_diff", TensorMetricsRow::getMaxAbsDiff),
          Map.entry("mean_abs_diff", TensorMetricsRow::getMeanAbsDiff),
          Map.entry("rmse", TensorMetricsRow::getRmse),
          Map.entry("sparsity", TensorMetricsRow::getSparsity),
          Map.entry("zero_fraction", TensorMetricsRow::getZeroFraction),
          Map.entry("norm_base", TensorMetricsRow::getNormBase),
          Map.entry("norm_finetuned", TensorMetricsRow::getNormFinetuned),
          Map.entry("nan_count", TensorMetricsRow::getNanCount),
          Map.entry("inf_count", TensorMetricsRow::getInfCount));

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
    if (!m.matches() || !METRICS.containsKey(m.group(2))) {
      throw new IllegalArgumentException(
          "--fail-if '"
              + text
              + "': expected 'METRIC OP NUMBER' (METRIC one of "
              + String.join(", ", new java.util.TreeSet<>(METRICS.keySet()))
              + "; OP one of > >= < <= == !=), 'COMPONENT: METRIC OP NUMBER', 'nan' or 'structural'");
    }
    try {
      return new Check(
          text.strip(), m.group(1), m.group(2), m.group(3), Double.parseDouble(m.group(4)));
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
    for (TensorMetricsRow row : result.rows()) {
      if (!row.hasMetrics()
          || (check.component() != null && !check.component().equals(row.getComponent()))) {
        continue;
      }
      if (check.metric().equals("nan")) {
        if (row.getNanCount() + row.getInfCount() > 0) {
          out.add(
              String.format(
                  Locale.ROOT,
                  "%s (%d NaN, %d Inf)",
                  row.getName(),
                  row.getNanCount(),
                  row.getInfCount()));
        }
        continue;
      }
      Number value = METRICS.get(check.metric()).apply(row);
      if (value != null && check.crossedBy(value.doubleValue())) {
        out.add(String.format(Locale.ROOT, "%s (%.6g)", row.getName(), value.doubleValue()));
      }
    }
    return out;
  }
}
