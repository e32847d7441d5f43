package io.deltascope.model;

/** Cosine similarity of float vectors, accumulated in float64. */
public final class Cosine {
  private Cosine() {}

  /** cos(x[from, from + n), y[from, from + n)); NaN when either is all zeros. */
  public static double of(float[] x, float[] y, int from, int n) {
    double dot = 0;
    double xx = 0;
    double yy = 0;
    for (int i = from; i < from + n; i++) {
      dot += (double) x[i] * y[i];
      xx += (double) x[i] * x[i];
      yy += (double) y[i] * y[i];
    }
    return dot / Math.sqrt(xx * yy);
  }
}
