package io.deltascope.report;

import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.Metric;
import io.deltascope.results.TensorResult;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The per-tensor table on the terminal: one row per compared tensor, the registry's {@link
 * Metric#TABLE} columns, sorted, filtered and cut as asked.
 *
 * @param shown true or false as asked ({@code --tensors}, {@code --no-tensors}); null: shown when
 *     the pair has at most {@link #DEFAULT_MAX_TENSORS} tensors
 * @param sort the metric to sort by (largest first, or smallest with {@code ascending}); null keeps
 *     the tensors in name order
 * @param ascending whether {@code sort} puts the smallest first
 * @param filter only tensors whose name this finds; null for all
 * @param limit at most this many rows; null for all
 */
public record TensorListing(
    Boolean shown, Metric sort, boolean ascending, Pattern filter, Integer limit) {

  /** Pairs with at most this many tensors get the table without asking. */
  public static final int DEFAULT_MAX_TENSORS = 64;

  /** The default: shown for small pairs, in name order, everything. */
  public static final TensorListing DEFAULT = new TensorListing(null, null, false, null, null);

  private static final int MAX_NAME = 56;

  /**
   * The listing from the options as written: {@code sort} a metric name with an optional ":asc" or
   * ":desc", {@code filter} a regular expression, {@code limit} 0 or more.
   *
   * @throws IllegalArgumentException saying which value is wrong and what is expected
   */
  public static TensorListing parse(Boolean shown, String sort, String filter, Integer limit) {
    Metric metric = null;
    boolean ascending = false;
    if (sort != null) {
      String[] parts = sort.strip().split(":", 2);
      metric =
          Metric.named(parts[0])
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "--sort '" + sort + "': no such metric (one of " + names() + ")"));
      String direction = parts.length > 1 ? parts[1].strip().toLowerCase(Locale.ROOT) : "desc";
      if (!direction.equals("asc") && !direction.equals("desc")) {
        throw new IllegalArgumentException(
            "--sort '" + sort + "': expected METRIC, METRIC:asc or METRIC:desc");
      }
      ascending = direction.equals("asc");
    }
    if (limit != null && limit < 0) {
      throw new IllegalArgumentException("--limit must be 0 or more, not " + limit);
    }
    Pattern pattern;
    try {
      pattern = filter == null ? null : Pattern.compile(filter);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "--filter '" + filter + "': not a regular expression: " + e.getDescription());
    }
    return new TensorListing(shown, metric, ascending, pattern, limit);
  }

  private static String names() {
    return String.join(", ", java.util.Arrays.stream(Metric.values()).map(Metric::column).toList());
  }

  /** Whether {@code result} gets the table. */
  public boolean showsFor(WeightDiffResult result) {
    if (shown != null) {
      return shown;
    }
    return sort != null
        || filter != null
        || limit != null
        || result.rows().size() <= DEFAULT_MAX_TENSORS;
  }

  /** The tensors the table lists, in order. */
  public List<TensorResult> select(WeightDiffResult result) {
    var rows =
        result.rows().stream()
            .filter(TensorResult::hasMetrics)
            .filter(r -> filter == null || filter.matcher(r.name()).find());
    if (sort != null) {
      Comparator<Double> values = Comparator.nullsFirst(Comparator.<Double>naturalOrder());
      Comparator<TensorResult> order =
          Comparator.comparing(sort::doubleOf, ascending ? values : values.reversed());
      rows = rows.sorted(order);
    }
    return rows.limit(limit == null ? Long.MAX_VALUE : limit).toList();
  }

  /** Appends the table for {@code result}. */
  void render(StringBuilder out, WeightDiffResult result) {
    List<TensorResult> rows = select(result);
    int width = Math.min(MAX_NAME, rows.stream().mapToInt(r -> r.name().length()).max().orElse(6));
    long total = result.rows().stream().filter(TensorResult::hasMetrics).count();
    out.append(
        String.format(
            Locale.ROOT,
            "%nTensors (%d of %d%s%s):%n",
            rows.size(),
            total,
            sort == null ? "" : ", by " + sort.column() + (ascending ? " ascending" : ""),
            filter == null ? "" : ", matching " + filter.pattern()));
    StringBuilder header =
        new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", "Tensor"));
    for (Metric m : Metric.TABLE) {
      header.append(String.format(Locale.ROOT, " %11s", m.header()));
    }
    out.append(header).append('\n').append("-".repeat(header.length())).append('\n');
    for (TensorResult row : rows) {
      out.append(String.format(Locale.ROOT, "%-" + width + "s", shorten(row.name(), width)));
      for (Metric m : Metric.TABLE) {
        out.append(String.format(Locale.ROOT, " %11s", TerminalReport.format(m, m.of(row))));
      }
      out.append('\n');
    }
  }

  // a long name keeps its end, where the layer and module are
  private static String shorten(String name, int width) {
    return name.length() <= width ? name : "..." + name.substring(name.length() - width + 3);
  }
}
