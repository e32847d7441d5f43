package io.deltascope.diagnosis;

import io.deltascope.diff.Structural;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Two different models: say what differs (family, sizes, shapes grouped by component) and no
 * fine-tune words.
 */
final class UnrelatedWords {
  private UnrelatedWords() {}

  static Diagnosis write(PairRows p, Verdict verdict) {
    List<Finding> findings = new ArrayList<>();
    add(p, verdict, findings);
    Findings.nonFinite(p, findings);
    String summary =
        "Unrelated models ("
            + String.join("; ", verdict.reasons())
            + "): not a fine-tune of one another, so there is no fine-tune profile; "
            + Words.count(p.compared().size(), "tensor")
            + " of the same name and shape are compared for reference.";
    return Diagnoser.of(Kind.UNRELATED, p, summary, findings);
  }

  /** The findings of an unrelated pair that headers alone show. */
  static void add(PairRows p, Verdict verdict, List<Finding> findings) {
    findings.add(
        Finding.warning(
            "unrelated",
            "Different models: " + String.join("; ", verdict.reasons()),
            "the configs or the tensor shapes differ beyond a vocabulary resize"));
    shapes(p, findings);
    Findings.structure(p, findings);
    Findings.dtypes(p, findings);
  }

  /** One finding per component: "mlp_gate: 4 tensors [352, 128] -> [384, 128] (layers 0-3)". */
  private static void shapes(PairRows p, List<Finding> findings) {
    for (Map.Entry<String, List<Structural.ShapeChange>> e :
        KindRule.shapesByComponent(p).entrySet()) {
      Map<String, Long> byShape =
          e.getValue().stream()
              .collect(
                  Collectors.groupingBy(
                      c -> c.shapeBase() + " -> " + c.shapeFinetuned(),
                      TreeMap::new,
                      Collectors.counting()));
      String shapes =
          byShape.entrySet().stream()
              .map(s -> Words.count(s.getValue(), "tensor") + " " + s.getKey())
              .collect(Collectors.joining(", "));
      var layers = KindRule.layersOf(p, e.getValue());
      findings.add(
          Finding.notice(
              "shape",
              e.getKey()
                  + ": "
                  + shapes
                  + (layers.isEmpty() ? "" : " (" + Words.layers(layers) + ")"),
              Words.names(e.getValue().stream().map(Structural.ShapeChange::name).toList())));
    }
  }
}
