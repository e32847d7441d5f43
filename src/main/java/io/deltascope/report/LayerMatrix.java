package io.deltascope.report;

import io.deltascope.diff.ComponentDelta;
import io.deltascope.diff.WeightDiffResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The per layer and component relative changes of a deep model as one line per layer and one column
 * per component, in place of one line per (layer, component) pair: 24 lines for a 24-layer model
 * instead of 170.
 */
final class LayerMatrix {
  /** Models with more layers than this get the matrix. */
  static final int MIN_LAYERS = 8;

  private static final int CELL = 8;

  private LayerMatrix() {}

  static boolean fits(WeightDiffResult result) {
    return layers(result.components()).size() > MIN_LAYERS;
  }

  static void render(StringBuilder out, WeightDiffResult result) {
    List<ComponentDelta> components = result.components();
    List<String> names = new ArrayList<>(new TreeSet<>(stackComponents(components)));
    Map<List<Object>, ComponentDelta> cells = new HashMap<>();
    components.stream()
        .filter(c -> c.layer() != null)
        .forEach(c -> cells.put(List.of(c.layer(), c.component()), c));
    out.append("Relative change by layer and component (* above ")
        .append(TerminalReport.HIGHLIGHT)
        .append("):\n");
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-6s", "Layer"));
    names.forEach(n -> header.append(String.format(Locale.ROOT, " %" + width(n) + "s", n)));
    out.append(header).append('\n').append("-".repeat(header.length())).append('\n');
    for (int layer : layers(components)) {
      out.append(String.format(Locale.ROOT, "%-6d", layer));
      for (String name : names) {
        out.append(' ').append(cell(cells.get(List.of(layer, name)), width(name)));
      }
      out.append('\n');
    }
    List<ComponentDelta> outside = components.stream().filter(c -> c.layer() == null).toList();
    if (!outside.isEmpty()) {
      out.append("Outside the layers:");
      outside.forEach(
          c ->
              out.append("  ")
                  .append(c.component())
                  .append(' ')
                  .append(TerminalReport.number(c.relativeDelta())));
      out.append('\n');
    }
  }

  // a column as wide as its name, and at least a value and its mark
  private static int width(String name) {
    return Math.max(CELL, name.length());
  }

  private static String cell(ComponentDelta c, int width) {
    if (c == null) {
      return String.format(Locale.ROOT, "%" + width + "s", "- ");
    }
    Double v = c.relativeDelta();
    String text = v == null ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    String mark = v != null && v > TerminalReport.HIGHLIGHT ? "*" : " ";
    return String.format(Locale.ROOT, "%" + (width - 1) + "s%s", text, mark);
  }

  private static TreeSet<Integer> layers(List<ComponentDelta> components) {
    TreeSet<Integer> layers = new TreeSet<>();
    components.stream().filter(c -> c.layer() != null).forEach(c -> layers.add(c.layer()));
    return layers;
  }

  private static List<String> stackComponents(List<ComponentDelta> components) {
    return components.stream()
        .filter(c -> c.layer() != null)
        .map(ComponentDelta::component)
        .toList();
  }
}
