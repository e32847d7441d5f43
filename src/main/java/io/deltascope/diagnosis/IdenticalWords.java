package io.deltascope.diagnosis;

import java.util.ArrayList;

/** Two checkpoints whose every tensor is bit-equal. */
final class IdenticalWords {
  private IdenticalWords() {}

  static Diagnosis write(PairRows rows) {
    return Diagnoser.of(
        Kind.IDENTICAL,
        rows,
        "Identical: all "
            + Words.count(rows.compared().size(), "tensor")
            + " are bit-equal, with the same names, shapes and stored types.",
        new ArrayList<>());
  }
}
