package io.deltascope.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import java.util.ArrayList;
import java.util.List;

/**
 * What logit-diff should find, from the oracle alone: HuggingFace's last residual at every position
 * (before the final norm) through the test's own float64 final norm and head ({@link Float64Head},
 * checked against the oracle's last-position logits), then log-softmax, KL and argmax in float64.
 */
public final class OracleLogitDiff {
  private OracleLogitDiff() {}

  /** The oracle's figures at one position; log-probabilities NaN at the last. */
  public record Position(
      double kl, int top1Base, int top1Finetuned, double lpBase, double lpFinetuned) {}

  /** Every position of the oracle's prompt {@code index}, both models on the base's ids. */
  public static List<Position> positions(String baseName, String finetunedName, int index) {
    Float64Head a = new Float64Head(Fixtures.model(baseName).toString());
    Float64Head b = new Float64Head(Fixtures.model(finetunedName).toString());
    long[] ids = ids(baseName, index);
    assertThat(ids(finetunedName, index)).as("both tokenizers agree").containsExactly(ids);
    List<Position> out = new ArrayList<>();
    for (int pos = 0; pos < ids.length; pos++) {
      double[] lp = logProbs(baseName, index, ids.length, a, pos);
      double[] lq = logProbs(finetunedName, index, ids.length, b, pos);
      double kl = 0;
      for (int v = 0; v < lp.length; v++) {
        kl += Math.exp(lp[v]) * (lp[v] - lq[v]);
      }
      long next = pos + 1 < ids.length ? ids[pos + 1] : -1;
      out.add(
          new Position(
              kl,
              argmax(lp),
              argmax(lq),
              next < 0 ? Double.NaN : lp[(int) next],
              next < 0 ? Double.NaN : lq[(int) next]));
    }
    return out;
  }

  /** The oracle's token ids of prompt {@code index} under the model's tokenizer. */
  public static long[] ids(String model, int index) {
    return Oracle.ids(Oracle.trace(model).get("prompts").get(index).get("input_ids"));
  }

  /** The oracle's prompts under the base's tokens, which the fine-tune's trace must share. */
  public static List<PromptPair> prompts(String baseName, String finetunedName) {
    JsonNode a = Oracle.trace(baseName).get("prompts");
    List<PromptPair> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      long[] ids = ids(baseName, i);
      assertThat(ids(finetunedName, i)).containsExactly(ids);
      List<String> tokens = new ArrayList<>();
      a.get(i).get("tokens").forEach(t -> tokens.add(t.asText()));
      Tokens t = new Tokens(ids, tokens);
      out.add(new PromptPair(i, a.get(i).get("prompt").asText(), t, t));
    }
    return out;
  }

  /** log softmax at one position; at the last, the float64 head is checked against the oracle. */
  static double[] logProbs(String model, int index, int t, Float64Head head, int pos) {
    double[] residual = Oracle.tensor(model, "prompt" + index + ".residual");
    int last = Oracle.trace(model).get("num_layers").asInt();
    int hidden = residual.length / t / (last + 1);
    double[] logits = head.logits(residual, (last * t + pos) * hidden);
    if (pos == t - 1) {
      double[] oracle = Oracle.tensor(model, "prompt" + index + ".logits_last");
      double scale = 0;
      for (double x : oracle) {
        scale = Math.max(scale, Math.abs(x));
      }
      for (int v = 0; v < oracle.length; v++) {
        assertThat(logits[v])
            .as("float64 head, %s", model)
            .isCloseTo(oracle[v], within(1e-4 * scale));
      }
    }
    return Float64Head.logSoftmax(logits);
  }

  private static int argmax(double[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }
}
