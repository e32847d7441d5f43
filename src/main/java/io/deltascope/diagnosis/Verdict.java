package io.deltascope.diagnosis;

import java.util.List;

/**
 * The kind of a pair and why.
 *
 * @param kind the kind, or null when a structure-only run cannot tell
 * @param reasons what decided it, in words ("model_type llama vs qwen2"); empty when nothing needs
 *     saying
 */
record Verdict(Kind kind, List<String> reasons) {
  static Verdict of(Kind kind, List<String> reasons) {
    return new Verdict(kind, List.copyOf(reasons));
  }

  static Verdict of(Kind kind) {
    return new Verdict(kind, List.of());
  }
}
