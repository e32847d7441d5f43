package io.deltascope.diff;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The pairs a training trajectory compares: every step (k -> k+1) and every checkpoint against the
 * first (0 -> k). The pair 0 -> 1 is both; it is computed and listed once, as a consecutive pair,
 * and the cumulative view is every pair that starts at 0.
 *
 * @param checkpoints the checkpoints' locations, in training order
 * @param pairs the consecutive pairs in order, then the pairs from the first (0 -> 2, 0 -> 3, ...)
 */
public record Trajectory(List<String> checkpoints, List<Pair> pairs) {

  /** Why a pair is compared. */
  public enum Kind {
    CONSECUTIVE,
    FROM_FIRST;

    /** The JSON and stored spelling: consecutive, from_first. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One comparison: checkpoint {@code from} as the base, {@code to} as the fine-tune.
   *
   * @param from index into the checkpoints
   * @param to a later index
   * @param kind why it is compared
   */
  public record Pair(int from, int to, Kind kind) {
    /** "0-2": the pair's name in a results store batch. */
    public String name() {
      return from + "-" + to;
    }

    /** Whether the pair belongs to the cumulative view (from the first checkpoint). */
    public boolean fromFirst() {
      return from == 0;
    }
  }

  public static Trajectory of(List<String> checkpoints) {
    if (checkpoints.size() < 2) {
      throw new IllegalArgumentException(
          "a trajectory needs at least 2 checkpoints, not " + checkpoints.size());
    }
    List<Pair> pairs = new ArrayList<>();
    for (int k = 0; k + 1 < checkpoints.size(); k++) {
      pairs.add(new Pair(k, k + 1, Kind.CONSECUTIVE));
    }
    for (int k = 2; k < checkpoints.size(); k++) {
      pairs.add(new Pair(0, k, Kind.FROM_FIRST));
    }
    return new Trajectory(List.copyOf(checkpoints), List.copyOf(pairs));
  }

  /** The consecutive pairs, step 0 -> 1 first. */
  public List<Pair> consecutive() {
    return pairs.stream().filter(p -> p.to() == p.from() + 1).toList();
  }

  /** The pairs from the first checkpoint, 0 -> 1 first. */
  public List<Pair> fromFirst() {
    return pairs.stream().filter(Pair::fromFirst).toList();
  }
}
