package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Not a test: the activation-diff forward pass on a checkpoint pair, timed. Prints the time spent
 * mapping and widening weights, the forward pass's matmul throughput next to DJL's raw float32
 * matmul rate for the same shapes, and the JVM's peak resident memory. Run by
 * submit/bench-activation-diff.
 *
 * <p>Arguments: BASE FINETUNED [PROMPTS [TOKENS]].
 */
public final class ForwardBenchmark {
  private ForwardBenchmark() {}

  public static void main(String[] args) throws IOException {
    String base = args[0];
    String finetuned = args[1];
    int prompts = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int tokens = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    try (DecoderModel a = DecoderModel.open(base);
        DecoderModel b = DecoderModel.open(finetuned)) {
      DecoderConfig c = a.config();
      long[][] ids = new long[prompts][tokens];
      for (int p = 0; p < prompts; p++) {
        for (int t = 0; t < tokens; t++) {
          ids[p][t] = (p * 7919L + t * 104729L) % 1000;
        }
      }
      long load = 0;
      long compute = 0;
      long started = System.nanoTime();
      try (NDManager batchA = a.newBatchManager();
          NDManager batchB = b.newBatchManager()) {
        NDArray[] ha = new NDArray[prompts];
        NDArray[] hb = new NDArray[prompts];
        for (int p = 0; p < prompts; p++) {
          ha[p] = a.embed(batchA, ids[p]);
          hb[p] = b.embed(batchB, ids[p]);
        }
        for (int l = 0; l < c.numLayers(); l++) {
          for (Object[] side : new Object[][] {{a, ha}, {b, hb}}) {
            long t0 = System.nanoTime();
            try (Block block = ((DecoderModel) side[0]).block(l)) {
              long t1 = System.nanoTime();
              NDArray[] h = (NDArray[]) side[1];
              for (int p = 0; p < prompts; p++) {
                NDArray next = block.forward(h[p]);
                next.toFloatArray(); // forces the work, as the cosines would
                h[p].close();
                h[p] = next;
              }
              long t2 = System.nanoTime();
              load += t1 - t0;
              compute += t2 - t1;
            }
          }
          System.err.printf(Locale.ROOT, "\rlayer %d/%d", l + 1, c.numLayers());
        }
        System.err.println();
      }
      double wall = (System.nanoTime() - started) / 1e9;
      double flops = 2.0 * prompts * c.numLayers() * layerFlops(c, tokens);
      double forwardRate = flops / (compute / 1e9);
      double rawRate = rawMatmulRate(c, tokens);
      System.out.printf(
          Locale.ROOT,
          "pair: %s, %s%nshape: %d layers, hidden %d, intermediate %d, heads %d/%d%n"
              + "prompts: %d x %d tokens%n"
              + "wall: %.1f s (weights mapped and widened: %.1f s, forward: %.1f s)%n"
              + "forward: %.1f GFLOP/s; raw DJL f32 matmul, same shapes: %.1f GFLOP/s; ratio %.2f%n"
              + "peak RSS (VmHWM): %s%n",
          base,
          finetuned,
          c.numLayers(),
          c.hidden(),
          c.intermediate(),
          c.numHeads(),
          c.numKvHeads(),
          prompts,
          tokens,
          wall,
          load / 1e9,
          compute / 1e9,
          forwardRate / 1e9,
          rawRate / 1e9,
          forwardRate / rawRate,
          peakRss());
    }
  }

  // matmul FLOPs of one block for one prompt of t tokens: projections and attention
  static double layerFlops(DecoderConfig c, int t) {
    double h = c.hidden();
    double qkv = h * c.headDim() * (c.numHeads() + 2.0 * c.numKvHeads());
    double o = (double) c.numHeads() * c.headDim() * h;
    double mlp = (c.gatedMlp() ? 3.0 : 2.0) * h * c.intermediate();
    double attention = 2.0 * t * c.numHeads() * c.headDim(); // q.k and p.v per token
    return 2.0 * t * (qkv + o + mlp + attention);
  }

  // DJL's float32 matmul on [t, in] x [in, out] for each projection shape of a block
  static double rawMatmulRate(DecoderConfig c, int t) {
    long h = c.hidden();
    long[][] shapes = {
      {h, (long) c.numHeads() * c.headDim()},
      {h, (long) c.numKvHeads() * c.headDim()},
      {h, (long) c.numKvHeads() * c.headDim()},
      {(long) c.numHeads() * c.headDim(), h},
      {h, c.intermediate()},
      {h, c.intermediate()},
      {c.intermediate(), h}
    };
    double flops = 0;
    long nanos = 0;
    try (NDManager m = Djl.newManager()) {
      for (long[] s : shapes) {
        NDArray x = m.randomNormal(new Shape(t, s[0]));
        NDArray w = m.randomNormal(new Shape(s[1], s[0])).transpose();
        x.matMul(w).close(); // warm up
        int reps = 5;
        long t0 = System.nanoTime();
        for (int r = 0; r < reps; r++) {
          NDArray y = x.matMul(w);
          y.toFloatArray();
          y.close();
        }
        nanos += System.nanoTime() - t0;
        flops += reps * 2.0 * t * s[0] * s[1];
      }
    }
    return flops / (nanos / 1e9);
  }

  static String peakRss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return line.substring(6).strip();
      }
    }
    return "unknown";
  }
}
