package io.deltascope.model;

/** The largest entries of a probability vector, ties broken by the lower index. */
final class TopK {
  private TopK() {}

  static int[] indices(float[] p, int k) {
    k = Math.min(k, p.length);
    int[] top = new int[k];
    int size = 0;
    for (int i = 0; i < p.length; i++) {
      if (size == k && !before(p, i, top[k - 1])) {
        continue;
      }
      int at = size < k ? size++ : k - 1;
      while (at > 0 && before(p, i, top[at - 1])) {
        top[at] = top[at - 1];
        at--;
      }
      top[at] = i;
    }
    return top;
  }

  /** 1 + how many entries rank above {@code id}. */
  static int rank(float[] p, int id) {
    int above = 0;
    for (int i = 0; i < p.length; i++) {
      if (i != id && before(p, i, id)) {
        above++;
      }
    }
    return above + 1;
  }

  private static boolean before(float[] p, int i, int j) {
    return p[i] > p[j] || (p[i] == p[j] && i < j);
  }
}
