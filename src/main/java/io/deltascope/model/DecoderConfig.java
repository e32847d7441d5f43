package io.deltascope.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.ModelConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything the forward pass needs to know about a decoder, read from {@code config.json} (4.x and
 * 5.x styles). Families differ only in these values, never in code paths of their own.
 *
 * @param family the decoder family
 * @param numLayers decoder blocks
 * @param hidden residual width
 * @param numHeads query heads
 * @param numKvHeads key/value heads (grouped-query attention when fewer than numHeads)
 * @param headDim width of one head
 * @param intermediate MLP width
 * @param vocab vocabulary size of the config (the tensors decide the real one)
 * @param normEps the norms' epsilon
 * @param norm RMSNorm or LayerNorm (with bias)
 * @param normOffset 1 where a norm scales by (1 + w) (Gemma), else 0
 * @param qkNorm RMSNorm on each query and key head before rope (Qwen3, Gemma3)
 * @param sandwichNorms norms after attention and after the MLP too (Gemma3)
 * @param embedScale factor on the token embeddings (sqrt(hidden) for Gemma, else 1)
 * @param activation the MLP's activation
 * @param gatedMlp down(act(gate(x)) * up(x)) rather than proj(act(fc(x)))
 * @param learnedPositions added position embeddings (GPT-2) rather than rope
 * @param conv1d weights stored [in, out] (GPT-2's Conv1D) rather than [out, in]
 * @param attnScale factor on q.k (1/sqrt(headDim), or Gemma's query_pre_attn_scalar)
 * @param scaleByInverseLayer GPT-2's scale_attn_by_inverse_layer_idx
 * @param finalSoftcap final logit softcapping, or null
 * @param tied whether the output head is the input embedding
 * @param layers per block: its attention window and rope
 * @param names the tensor names of this family
 */
public record DecoderConfig(
    Family family,
    int numLayers,
    int hidden,
    int numHeads,
    int numKvHeads,
    int headDim,
    int intermediate,
    int vocab,
    double normEps,
    NormKind norm,
    float normOffset,
    boolean qkNorm,
    boolean sandwichNorms,
    float embedScale,
    Activation activation,
    boolean gatedMlp,
    boolean learnedPositions,
    boolean conv1d,
    double attnScale,
    boolean scaleByInverseLayer,
    Double finalSoftcap,
    boolean tied,
    List<LayerSpec> layers,
    TensorNames names,
    int maxPositions)
    implements Serializable {

  /** RMSNorm (no mean, no bias) or LayerNorm (mean and bias). */
  public enum NormKind {
    RMS,
    LAYER
  }

  /** The MLP's activation. */
  public enum Activation {
    SILU,
    GELU_TANH,
    GELU;

    static Activation of(String name, String location) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "silu", "swish" -> SILU;
        case "gelu_pytorch_tanh", "gelu_new", "gelu_fast", "gelu_tanh" -> GELU_TANH;
        case "gelu" -> GELU;
        default ->
            throw CheckpointException.of(
                location,
                "activation '%s' is not supported (silu, gelu, gelu_pytorch_tanh, gelu_new are)",
                name);
      };
    }
  }

  /**
   * One block's attention: causal, within {@code slidingWindow} keys when it is above 0 (a key is
   * seen when query - key < window), and its rotary embedding (null with learned positions).
   */
  public record LayerSpec(int slidingWindow, RopeSpec rope) implements Serializable {}

  /** The config of a checkpoint: its family's particulars from {@code config.raw()}. */
  public static DecoderConfig of(ModelConfig config, String location) {
    Family family = Family.of(config.modelType(), location);
    JsonNode raw = config.raw();
    Reader r = new Reader(raw, location);
    int hidden = r.requiredInt("hidden_size", "n_embd");
    int layers = r.requiredInt("num_hidden_layers", "n_layer");
    int heads = r.requiredInt("num_attention_heads", "n_head");
    int kvHeads = r.optInt(heads, "num_key_value_heads");
    int headDim = r.optInt(hidden / heads, "head_dim");
    int intermediate = r.optInt(4 * hidden, "intermediate_size", "n_inner");
    int vocab = r.optInt(0, "vocab_size");
    double eps = r.optDouble(1e-6, "rms_norm_eps", "layer_norm_epsilon", "layer_norm_eps");
    if (heads % kvHeads != 0) {
      throw CheckpointException.of(
          location,
          "num_attention_heads %d is not a multiple of num_key_value_heads %d",
          heads,
          kvHeads);
    }
    boolean gemma = family == Family.GEMMA3;
    boolean gpt2 = family == Family.GPT2;
    String act =
        r.optText(
            gpt2 ? "gelu_new" : "silu", "hidden_activation", "hidden_act", "activation_function");
    double scale =
        gemma
            ? 1.0 / Math.sqrt(r.optDouble(headDim, "query_pre_attn_scalar"))
            : 1.0 / Math.sqrt(headDim);
    if (gpt2 && raw.has("scale_attn_weights") && !raw.get("scale_attn_weights").asBoolean()) {
      scale = 1.0;
    }
    Double softcap =
        raw.path("final_logit_softcapping").isNumber()
            ? raw.get("final_logit_softcapping").asDouble()
            : null;
    return new DecoderConfig(
        family,
        layers,
        hidden,
        heads,
        kvHeads,
        headDim,
        intermediate,
        vocab,
        eps,
        gpt2 ? NormKind.LAYER : NormKind.RMS,
        gemma ? 1f : 0f,
        family == Family.QWEN3 || gemma,
        gemma,
        gemma ? (float) Math.sqrt(hidden) : 1f,
        Activation.of(act, location),
        !gpt2,
        gpt2,
        gpt2,
        scale,
        gpt2 && raw.path("scale_attn_by_inverse_layer_idx").asBoolean(false),
        softcap,
        config.tieWordEmbeddings(),
        gpt2 ? learnedLayers(layers) : ropeLayers(family, raw, layers, location),
        TensorNames.of(family),
        r.optInt(0, "max_position_embeddings", "n_positions", "n_ctx"));
  }

  /**
   * Refuses a prompt longer than the model's context ({@code max_position_embeddings}): the model
   * was never trained on such positions, and the forward pass's work grows with its square. An
   * explicit {@code allowLonger} runs it anyway, except where positions are learned (GPT-2 has no
   * embedding beyond them). Every forward command calls this on the driver, before any work.
   *
   * @param what the prompt, as the error names it ("prompt 2")
   * @param tokens its length in tokens
   * @param location the checkpoint, as the error names it
   */
  public void checkPromptLength(String what, int tokens, String location, boolean allowLonger) {
    if (maxPositions <= 0 || tokens <= maxPositions || (allowLonger && !learnedPositions)) {
      return;
    }
    throw new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "%s: %d tokens, beyond the context of %s (%d positions)%s",
            what,
            tokens,
            location,
            maxPositions,
            learnedPositions ? "" : "; --allow-long-prompts runs it anyway"));
  }

  /** Queries per key/value head. */
  public int groupSize() {
    return numHeads / numKvHeads;
  }

  private static List<LayerSpec> learnedLayers(int layers) {
    List<LayerSpec> out = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      out.add(new LayerSpec(0, null));
    }
    return List.copyOf(out);
  }

  // Which layers slide, and each kind's rope: layer_types when the config lists them, else the
  // family's 4.x conventions.
  private static List<LayerSpec> ropeLayers(
      Family family, JsonNode raw, int layers, String location) {
    JsonNode params = raw.path("rope_parameters");
    boolean perType = params.path("full_attention").isObject();
    double theta = raw.path("rope_theta").asDouble(family == Family.GEMMA3 ? 1_000_000 : 10_000);
    RopeSpec full =
        perType
            ? RopeSpec.of(params.get("full_attention"), theta, location)
            : params.isObject()
                ? RopeSpec.of(params, theta, location)
                : RopeSpec.of(raw.get("rope_scaling"), theta, location);
    RopeSpec local =
        perType && params.path("sliding_attention").isObject()
            ? RopeSpec.of(params.get("sliding_attention"), theta, location)
            : family == Family.GEMMA3
                ? RopeSpec.plain(raw.path("rope_local_base_freq").asDouble(10_000))
                : full;
    int window = raw.path("sliding_window").isNumber() ? raw.get("sliding_window").asInt() : 0;
    List<LayerSpec> out = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      boolean sliding = window > 0 && sliding(family, raw, i, location);
      out.add(new LayerSpec(sliding ? window : 0, sliding ? local : full));
    }
    return List.copyOf(out);
  }

  private static boolean sliding(Family family, JsonNode raw, int layer, String location) {
    JsonNode types = raw.path("layer_types");
    if (types.isArray()) {
      if (layer >= types.size()) {
        throw CheckpointException.of(
            location, "layer_types has %d entries, fewer than the layers", types.size());
      }
      return "sliding_attention".equals(types.get(layer).asText());
    }
    return switch (family) {
      case GEMMA3 -> {
        int pattern =
            raw.path("sliding_window_pattern").asInt(raw.path("_sliding_window_pattern").asInt(6));
        yield (layer + 1) % pattern != 0;
      }
      case MISTRAL -> true;
      case QWEN2, QWEN3 ->
          raw.path("use_sliding_window").asBoolean(false)
              && layer >= raw.path("max_window_layers").asInt(Integer.MAX_VALUE);
      default -> false;
    };
  }

  /** Reads numbers and strings under their 4.x or 5.x names, with values in every error. */
  private record Reader(JsonNode raw, String location) {
    int requiredInt(String... keys) {
      for (String k : keys) {
        if (raw.path(k).isNumber()) {
          return raw.get(k).asInt();
        }
      }
      throw CheckpointException.of(location, "config has no %s", String.join(" or ", keys));
    }

    int optInt(int fallback, String... keys) {
      for (String k : keys) {
        if (raw.path(k).isNumber()) {
          return raw.get(k).asInt();
        }
      }
      return fallback;
    }

    double optDouble(double fallback, String... keys) {
      for (String k : keys) {
        if (raw.path(k).isNumber()) {
          return raw.get(k).asDouble();
        }
      }
      return fallback;
    }

    String optText(String fallback, String... keys) {
      for (String k : keys) {
        if (raw.path(k).isTextual()) {
          return raw.get(k).asText();
        }
      }
      return fallback;
    }
  }
}
