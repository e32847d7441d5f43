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

  private static final int CELL = 9;

  private LayerMatrix() {}

  static boolean fits(WeightDiffResult result) {
    return layers(result.components()).size() > MIN_LAYERS;
  }

  static void render(StringBuilder out, WeightDiffResult result) {
    List<ComponentDelta> components = result.components();
    TreeSet<Integer> layers = layers(components);
    List<String> names = new ArrayList<>(new TreeSet<>(stackComponents(components)));
    Map<List<Object>, Double> cells = new HashMap<>();
    components.forEach(
        c ->
            cells.put(
                List.of(c.layer() == null ? -1 : c.layer(), c.component()), c.relativeDelta()));
    out.append("Relative change by layer and component (* above ")
        .append(TerminalReport.HIGHLIGHT)
        .append("):\n");
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-6s", "Layer"));
    names.forEach(n -> header.append(String.format(Locale.ROOT, " %" + CELL + "s", shorten(n))));
    out.append(header).append('\n').append("-".repeat(header.length())).append('\n');
    for (int layer : layers) {
      out.append(String.format(Locale.ROOT, "%-6d", layer));
      for (String name : names) {
        out.append(' ')
            .append(cell(cells.get(List.of(layer, name)), cells.containsKey(List.of(layer, name))));
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

  private static String cell(Double v, boolean present) {
    if (!present) {
      return " ".repeat(CELL - 1) + "-";
    }
    String text = v == null ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    String mark = v != null && v > TerminalReport.HIGHLIGHT ? "*" : " ";
    return String.format(Locale.ROOT, "%" + (CELL - 1) + "s%s", text, mark);
  }

  private static String shorten(String name) {
    return name.length() <= CELL ? name : name.substring(0, CELL);
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
