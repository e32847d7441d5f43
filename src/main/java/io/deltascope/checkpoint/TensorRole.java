package io.deltascope.checkpoint;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a tensor is in the model, from its name: the decoder layer it belongs to (null outside the
 * stack) and its component ({@code attn_q}, {@code mlp_down}, ...; {@code other} when unknown).
 * Biases get a {@code _bias} suffix. Covers Llama, Mistral, Qwen2/3, Gemma/Gemma2/3, GPT-2 and the
 * fused projections of Phi-3 style checkpoints, with or without a wrapper prefix.
 *
 * @param layer the decoder layer index, or null for tensors outside the layer stack
 * @param component the component name
 */
public record TensorRole(Integer layer, String component) implements Serializable {

  public static final String OTHER = "other";

  /** The embeddings' layer in the one numbering of every command's outputs (JSON, the store). */
  public static final int EMBEDDINGS_LAYER = -1;

  /** The components of the embeddings: the tokens' and (GPT-2) the positions'. */
  public static final List<String> EMBEDDINGS = List.of("embed", "pos_embed");

  // "...layers.11.self_attn.q_proj.weight", "transformer.h.3.mlp.c_fc.bias"
  private static final Pattern IN_LAYER =
      Pattern.compile("(?:^|.*\\.)(?:layers|h|blocks|layer)\\.(\\d+)\\.(.+)\\.(weight|bias)$");
  private static final Pattern OUTSIDE = Pattern.compile("(?:^|.*\\.)?([^.]+)\\.(weight|bias)$");

  /** Module names within a layer, longest-known spelling first; values are components. */
  private static final List<Map.Entry<String, String>> LAYER_MODULES =
      List.of(
          Map.entry("self_attn.q_proj", "attn_q"),
          Map.entry("self_attn.k_proj", "attn_k"),
          Map.entry("self_attn.v_proj", "attn_v"),
          Map.entry("self_attn.o_proj", "attn_o"),
          Map.entry("self_attn.qkv_proj", "attn_qkv"),
          Map.entry("self_attn.q_norm", "attn_q_norm"),
          Map.entry("self_attn.k_norm", "attn_k_norm"),
          Map.entry("attn.c_attn", "attn_qkv"),
          Map.entry("attn.c_proj", "attn_o"),
          Map.entry("mlp.gate_proj", "mlp_gate"),
          Map.entry("mlp.up_proj", "mlp_up"),
          Map.entry("mlp.down_proj", "mlp_down"),
          Map.entry("mlp.gate_up_proj", "mlp_gate_up"),
          Map.entry("mlp.c_fc", "mlp_fc"),
          Map.entry("mlp.c_proj", "mlp_proj"),
          Map.entry("input_layernorm", "norm_attn"),
          Map.entry("ln_1", "norm_attn"),
          Map.entry("ln_2", "norm_mlp"),
          Map.entry("pre_feedforward_layernorm", "norm_pre_mlp"),
          Map.entry("post_feedforward_layernorm", "norm_post_mlp"));

  private static final Map<String, String> OUTSIDE_MODULES =
      Map.of(
          "embed_tokens", "embed",
          "wte", "embed",
          "wpe", "pos_embed",
          "norm", "norm_final",
          "ln_f", "norm_final",
          "final_layernorm", "norm_final",
          "lm_head", "lm_head");

  // post_attention_layernorm: Llama's pre-MLP norm, or Gemma 2/3's post-attention norm
  private static final String NORM_MLP = "norm_mlp";
  private static final String NORM_POST_ATTN = "norm_post_attn";

  /**
   * Every component {@link #of} can name, biases ({@code _bias}) included: what a {@code --fail-if}
   * component must be one of.
   */
  public static SortedSet<String> components() {
    SortedSet<String> modules = new TreeSet<>(List.of(NORM_MLP, NORM_POST_ATTN));
    LAYER_MODULES.forEach(e -> modules.add(e.getValue()));
    modules.addAll(OUTSIDE_MODULES.values());
    SortedSet<String> all = new TreeSet<>(modules);
    modules.forEach(c -> all.add(withBias(c, "bias")));
    all.add(OTHER);
    return all;
  }

  /**
   * The role of {@code name} in a model of {@code modelType} (the config's {@code model_type}; it
   * decides what {@code post_attention_layernorm} is: Llama's pre-MLP norm, Gemma's post-attention
   * norm).
   */
  public static TensorRole of(String name, String modelType) {
    Matcher m = IN_LAYER.matcher(name);
    if (m.matches()) {
      int layer = Integer.parseInt(m.group(1));
      String component = layerComponent(m.group(2), modelType);
      return new TensorRole(layer, withBias(component, m.group(3)));
    }
    Matcher o = OUTSIDE.matcher(name);
    if (o.matches() && OUTSIDE_MODULES.containsKey(o.group(1))) {
      return new TensorRole(null, withBias(OUTSIDE_MODULES.get(o.group(1)), o.group(2)));
    }
    return new TensorRole(null, OTHER);
  }

  /**
   * The layer as the outputs number it: the block, {@value #EMBEDDINGS_LAYER} for the embeddings
   * (as activation-diff numbers their residual), null for the other tensors outside the blocks. In
   * memory the embeddings stay outside the blocks (null), so per-layer aggregates leave them out.
   */
  public static Integer numbered(Integer layer, String component) {
    return layer == null && EMBEDDINGS.contains(component)
        ? Integer.valueOf(EMBEDDINGS_LAYER)
        : layer;
  }

  /** The block of a layer as the outputs number it: null for the embeddings, as {@link #of}. */
  public static Integer block(Integer numbered) {
    return numbered != null && numbered == EMBEDDINGS_LAYER ? null : numbered;
  }

  private static String layerComponent(String module, String modelType) {
    if (module.equals("post_attention_layernorm")) {
      return hasSandwichNorms(modelType) ? NORM_POST_ATTN : NORM_MLP;
    }
    for (Map.Entry<String, String> e : LAYER_MODULES) {
      if (module.equals(e.getKey())) {
        return e.getValue();
      }
    }
    return OTHER;
  }

  // Gemma 2 and 3 norm both before and after each sub-block.
  private static boolean hasSandwichNorms(String modelType) {
    return modelType != null && modelType.startsWith("gemma") && !modelType.equals("gemma");
  }

  private static String withBias(String component, String kind) {
    return kind.equals("bias") && !component.equals(OTHER) ? component + "_bias" : component;
  }
}
