package io.deltascope.diagnosis;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** How a diagnosis writes names, counts and numbers. */
final class Words {
  private Words() {}

  /** The first five names, then how many more. */
  static String names(List<String> names) {
    if (names.isEmpty()) {
      return "none";
    }
    String shown = String.join(", ", names.subList(0, Math.min(5, names.size())));
    return names.size() > 5 ? shown + " and " + (names.size() - 5) + " more" : shown;
  }

  /** "1 tensor", "8 matrices". */
  static String count(long n, String noun) {
    String plural = noun.endsWith("x") ? noun.substring(0, noun.length() - 1) + "ces" : noun + "s";
    return n + " " + (n == 1 ? noun : plural);
  }

  static String number(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.4g", v);
  }

  /** "layer 2" or "layers 0-3" or "layers 0, 2". */
  static String layers(Set<Integer> layers) {
    List<Integer> sorted = layers.stream().sorted().toList();
    if (sorted.isEmpty()) {
      return "no layer";
    }
    if (sorted.size() == 1) {
      return "layer " + sorted.get(0);
    }
    int first = sorted.get(0);
    int last = sorted.get(sorted.size() - 1);
    return last - first + 1 == sorted.size()
        ? "layers " + first + "-" + last
        : "layers " + String.join(", ", sorted.stream().map(String::valueOf).toList());
  }

  static String and(Collection<String> parts) {
    return String.join(" and ", parts);
  }

  static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  static String upperFirst(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
