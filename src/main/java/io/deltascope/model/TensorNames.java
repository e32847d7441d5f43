package io.deltascope.model;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.CheckpointException;
import java.io.Serializable;

/**
 * A family's tensor names, as stems without {@code .weight}/{@code .bias}; block stems are relative
 * to the block prefix ("model.layers.3."). The model prefix ("model.", "transformer.", none) is
 * found from where the token embedding is, so wrappers that nest the decoder still resolve.
 *
 * @param embed token embedding stem, after the model prefix
 * @param posEmbed learned position embedding stem, or null
 * @param finalNorm final norm stem, after the model prefix
 * @param blocks the block list stem ("layers", "h")
 * @param q query projection, or null when fused into qkv
 * @param k key projection
 * @param v value projection
 * @param qkv fused query-key-value projection, or null
 * @param o attention output projection
 * @param qNorm per-head query norm, or null
 * @param kNorm per-head key norm, or null
 * @param gate MLP gate, or null for an ungated MLP
 * @param up MLP up (GPT-2's c_fc)
 * @param down MLP down (GPT-2's c_proj)
 * @param normAttn the norm before attention
 * @param normPostAttn the norm on the attention output, or null
 * @param normMlp the norm before the MLP
 * @param normPostMlp the norm on the MLP output, or null
 */
public record TensorNames(
    String embed,
    String posEmbed,
    String finalNorm,
    String blocks,
    String q,
    String k,
    String v,
    String qkv,
    String o,
    String qNorm,
    String kNorm,
    String gate,
    String up,
    String down,
    String normAttn,
    String normPostAttn,
    String normMlp,
    String normPostMlp)
    implements Serializable {

  public static final String LM_HEAD = "lm_head";

  static TensorNames of(Family family) {
    return switch (family) {
      case GPT2 ->
          new TensorNames(
              "wte",
              "wpe",
              "ln_f",
              "h",
              null,
              null,
              null,
              "attn.c_attn",
              "attn.c_proj",
              null,
              null,
              null,
              "mlp.c_fc",
              "mlp.c_proj",
              "ln_1",
              null,
              "ln_2",
              null);
      case GEMMA3 ->
          new TensorNames(
              "embed_tokens",
              null,
              "norm",
              "layers",
              "self_attn.q_proj",
              "self_attn.k_proj",
              "self_attn.v_proj",
              null,
              "self_attn.o_proj",
              "self_attn.q_norm",
              "self_attn.k_norm",
              "mlp.gate_proj",
              "mlp.up_proj",
              "mlp.down_proj",
              "input_layernorm",
              "post_attention_layernorm",
              "pre_feedforward_layernorm",
              "post_feedforward_layernorm");
      case QWEN3 ->
          new TensorNames(
              "embed_tokens",
              null,
              "norm",
              "layers",
              "self_attn.q_proj",
              "self_attn.k_proj",
              "self_attn.v_proj",
              null,
              "self_attn.o_proj",
              "self_attn.q_norm",
              "self_attn.k_norm",
              "mlp.gate_proj",
              "mlp.up_proj",
              "mlp.down_proj",
              "input_layernorm",
              null,
              "post_attention_layernorm",
              null);
      case LLAMA, MISTRAL, QWEN2 ->
          new TensorNames(
              "embed_tokens",
              null,
              "norm",
              "layers",
              "self_attn.q_proj",
              "self_attn.k_proj",
              "self_attn.v_proj",
              null,
              "self_attn.o_proj",
              null,
              null,
              "mlp.gate_proj",
              "mlp.up_proj",
              "mlp.down_proj",
              "input_layernorm",
              null,
              "post_attention_layernorm",
              null);
    };
  }

  /** The prefix before the embedding's name in this checkpoint ("model.", "transformer.", ""). */
  public String modelPrefix(Checkpoint checkpoint) {
    String suffix = embed + ".weight";
    String best = null;
    for (String name : checkpoint.tensors().keySet()) {
      if ((name.equals(suffix) || name.endsWith("." + suffix))
          && (best == null || name.length() < best.length())) {
        best = name;
      }
    }
    if (best == null) {
      throw CheckpointException.of(
          checkpoint.location(), "no token embedding tensor (a name ending in %s)", suffix);
    }
    return best.substring(0, best.length() - suffix.length());
  }

  /** "model.layers.3." for block 3 under prefix "model.". */
  public String blockPrefix(String modelPrefix, int layer) {
    return modelPrefix + blocks + "." + layer + ".";
  }
}
