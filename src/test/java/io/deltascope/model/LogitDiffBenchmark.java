package io.deltascope.model;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: logit-diff's forward pass against activation-diff's on the same tokens of the same
 * pair, timed; prints positions per second of each, their ratio and the JVM's peak resident memory.
 * Run by submit/bench-logit-diff.
 *
 * <p>Arguments: BASE FINETUNED [PROMPTS [TOKENS]].
 */
public final class LogitDiffBenchmark {
  private LogitDiffBenchmark() {}

  public static void main(String[] args) throws IOException {
    String base = args[0];
    String finetuned = args[1];
    int prompts = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int tokens = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    List<PromptPair> batch = ForwardBenchmark.prompts(prompts, tokens);
    int positions = prompts * tokens;
    try (DecoderModel a = DecoderModel.open(base);
        DecoderModel b = DecoderModel.open(finetuned)) {
      // activation-diff first, then logit-diff (whose first run also loads both output heads)
      double activation = seconds(() -> ActivationDiff.run(a, b, batch));
      double logits = seconds(() -> LogitDiff.run(a, b, batch, 5, 10));
      DecoderConfig c = a.config();
      System.out.printf(
          Locale.ROOT,
          "pair: %s, %s%nshape: %d layers, hidden %d, vocab %d%n"
              + "tokens: %d prompts x %d = %d positions, both models, every block streamed%n"
              + "activation-diff forward pass: %.1f s, %.2f positions/s%n"
              + "logit-diff forward pass:      %.1f s, %.2f positions/s (KL, top-1, log-probs at"
              + " every position; heads loaded once)%n"
              + "logit-diff / activation-diff time: %.3f%n"
              + "peak RSS (VmHWM): %s%n",
          base,
          finetuned,
          c.numLayers(),
          c.hidden(),
          a.vocabSize(),
          prompts,
          tokens,
          positions,
          activation,
          positions / activation,
          logits,
          positions / logits,
          logits / activation,
          ForwardBenchmark.peakRss());
    }
  }

  private static double seconds(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1e9;
  }
}
