package io.deltascope.model;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorReader;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The test's own final norm and output head in float64, straight from the stored weights: turns the
 * oracle's last residual (before the final norm) into logits without the code under test.
 */
final class Float64Head {
  private final DecoderConfig config;
  private final double[] normWeight;
  private final double[] normBias; // LayerNorm only
  private final double[] head; // [vocab, hidden], row-major as stored
  final int vocab;

  Float64Head(String location) {
    Checkpoint checkpoint = Checkpoint.open(location);
    config = DecoderConfig.of(checkpoint.config(), location);
    String prefix = config.names().modelPrefix(checkpoint);
    String norm = prefix + config.names().finalNorm();
    normWeight = read(checkpoint.tensor(norm + ".weight"));
    for (int i = 0; i < normWeight.length; i++) {
      normWeight[i] += config.normOffset(); // Gemma's (1 + w)
    }
    normBias =
        config.norm() == DecoderConfig.NormKind.LAYER
            ? read(checkpoint.tensor(norm + ".bias"))
            : null;
    TensorInfo untied = checkpoint.tensor("lm_head.weight");
    TensorInfo h =
        untied != null && !config.tied()
            ? untied
            : checkpoint.tensor(prefix + config.names().embed() + ".weight");
    head = read(h);
    vocab = (int) h.shape().dim(0);
  }

  /** Logits [vocab] of one residual row h[at .. at + hidden). */
  double[] logits(double[] h, int at) {
    int n = config.hidden();
    double[] x = new double[n];
    double mean = 0;
    if (normBias != null) {
      for (int j = 0; j < n; j++) {
        mean += h[at + j] / n;
      }
    }
    double sq = 0;
    for (int j = 0; j < n; j++) {
      x[j] = h[at + j] - mean;
      sq += x[j] * x[j] / n;
    }
    double scale = 1 / Math.sqrt(sq + config.normEps());
    for (int j = 0; j < n; j++) {
      x[j] = x[j] * scale * normWeight[j] + (normBias == null ? 0 : normBias[j]);
    }
    double[] logits = new double[vocab];
    for (int v = 0; v < vocab; v++) {
      double s = 0;
      for (int j = 0; j < n; j++) {
        s += head[v * n + j] * x[j];
      }
      logits[v] =
          config.finalSoftcap() == null
              ? s
              : Math.tanh(s / config.finalSoftcap()) * config.finalSoftcap();
    }
    return logits;
  }

  static double[] logSoftmax(double[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : logits) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (double x : logits) {
      sum += Math.exp(x - max);
    }
    double lse = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = logits[i] - lse;
    }
    return out;
  }

  private static double[] read(TensorInfo t) {
    double[] out = new double[(int) t.elementCount()];
    try (ByteSource src = Locations.open(t.file())) {
      new TensorReader(src, t, t.elementCount()).read(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
