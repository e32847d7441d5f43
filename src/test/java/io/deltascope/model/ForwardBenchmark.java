package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: the activation-diff forward pass on a checkpoint pair, timed. Prints its matmul
 * throughput end to end (weights streamed and widened included) next to DJL's raw float32 matmul
 * rate for the same shapes, the widening rate, and the JVM's peak resident memory. Run by
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
      double rawBefore = rawMatmulRate(c, tokens);
      // widening alone: one block of each model, mapped and decoded to float32
      long t0 = System.nanoTime();
      long blockBytes = 0;
      for (DecoderModel m : new DecoderModel[] {a, b}) {
        try (Block block = m.block(0)) {
          blockBytes += DecoderModel.blockBytes(m.location()) / 2; // stored bf16/f16 bytes
        }
      }
      double widenSeconds = (System.nanoTime() - t0) / 1e9;
      a.releaseBuffers();
      List<PromptPair> batch = prompts(prompts, tokens);
      long started = System.nanoTime();
      ActivationDiff.run(a, b, batch);
      double wall = (System.nanoTime() - started) / 1e9;
      double rawAfter = rawMatmulRate(c, tokens);
      double raw = (rawBefore + rawAfter) / 2;
      double flops = 2.0 * prompts * c.numLayers() * layerFlops(c, tokens);
      double rate = flops / wall;
      System.out.printf(
          Locale.ROOT,
          "pair: %s, %s%nshape: %d layers, hidden %d, intermediate %d, heads %d/%d%n"
              + "prompts: %d x %d tokens, both models, every block streamed%n"
              + "activation-diff forward pass: %.1f s, %.1f GFLOP/s end to end (weights"
              + " widened while the previous block computes)%n"
              + "raw DJL f32 matmul, same shapes: %.1f GFLOP/s (%.1f before, %.1f after);"
              + " ratio %.2f%n"
              + "widening alone: %.1f MB/s of stored weights%n"
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
          rate / 1e9,
          raw / 1e9,
          rawBefore / 1e9,
          rawAfter / 1e9,
          rate / raw,
          blockBytes / widenSeconds / 1e6,
          peakRss());
    }
  }

  /** {@code prompts} prompts of {@code tokens} ids that any vocabulary of 1000 or more has. */
  static List<PromptPair> prompts(int prompts, int tokens) {
    List<PromptPair> batch = new ArrayList<>();
    for (int p = 0; p < prompts; p++) {
      long[] ids = new long[tokens];
      for (int t = 0; t < tokens; t++) {
        ids[t] = (p * 7919L + t * 104729L) % 1000;
      }
      Tokens tk = new Tokens(ids, Collections.nCopies(tokens, "?"));
      batch.add(new PromptPair(p, "prompt " + p, tk, tk));
    }
    return batch;
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
