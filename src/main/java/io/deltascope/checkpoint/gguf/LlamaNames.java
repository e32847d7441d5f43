package io.deltascope.checkpoint.gguf;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp's tensor names for the Llama family and their HuggingFace equivalents, both ways:
 * {@code blk.N.attn_q.weight} is {@code model.layers.N.self_attn.q_proj.weight}. A name outside the
 * table keeps its GGUF spelling (and is compared as component "other").
 */
public final class LlamaNames {
  private LlamaNames() {}

  private static final Pattern IN_BLOCK = Pattern.compile("blk\\.(\\d+)\\.([^.]+)\\.(weight|bias)");
  private static final Pattern IN_LAYER =
      Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)\\.(weight|bias)");
  private static final Pattern OUTSIDE = Pattern.compile("(.+)\\.(weight|bias)");

  /** GGUF module in a block to HF module in a layer. */
  private static final Map<String, String> BLOCK_MODULES =
      Map.ofEntries(
          Map.entry("attn_q", "self_attn.q_proj"),
          Map.entry("attn_k", "self_attn.k_proj"),
          Map.entry("attn_v", "self_attn.v_proj"),
          Map.entry("attn_output", "self_attn.o_proj"),
          Map.entry("attn_q_norm", "self_attn.q_norm"),
          Map.entry("attn_k_norm", "self_attn.k_norm"),
          Map.entry("ffn_gate", "mlp.gate_proj"),
          Map.entry("ffn_up", "mlp.up_proj"),
          Map.entry("ffn_down", "mlp.down_proj"),
          Map.entry("attn_norm", "input_layernorm"),
          Map.entry("ffn_norm", "post_attention_layernorm"));

  private static final Map<String, String> OUTSIDE_MODULES =
      Map.of(
          "token_embd", "model.embed_tokens",
          "output_norm", "model.norm",
          "output", "lm_head");

  /** The HuggingFace name of GGUF tensor {@code name}, or {@code name} itself when unknown. */
  public static String toHf(String name) {
    Matcher m = IN_BLOCK.matcher(name);
    if (m.matches()) {
      String module = BLOCK_MODULES.get(m.group(2));
      return module == null ? name : "model.layers." + m.group(1) + "." + module + "." + m.group(3);
    }
    Matcher o = OUTSIDE.matcher(name);
    if (o.matches() && OUTSIDE_MODULES.containsKey(o.group(1))) {
      return OUTSIDE_MODULES.get(o.group(1)) + "." + o.group(2);
    }
    return name;
  }

  /** The GGUF name of HuggingFace tensor {@code name}, or {@code name} itself when unknown. */
  public static String toGguf(String name) {
    Matcher m = IN_LAYER.matcher(name);
    if (m.matches()) {
      for (Map.Entry<String, String> e : BLOCK_MODULES.entrySet()) {
        if (e.getValue().equals(m.group(2))) {
          return "blk." + m.group(1) + "." + e.getKey() + "." + m.group(3);
        }
      }
      return name;
    }
    Matcher o = OUTSIDE.matcher(name);
    if (o.matches()) {
      for (Map.Entry<String, String> e : OUTSIDE_MODULES.entrySet()) {
        if (e.getValue().equals(o.group(1))) {
          return e.getKey() + "." + o.group(2);
        }
      }
    }
    return name;
  }

  /** Whether GGUF tensor {@code name} is a query projection ({@code blk.N.attn_q.weight}). */
  static boolean isQuery(String name) {
    return name.matches("blk\\.\\d+\\.attn_q\\.(weight|bias)");
  }

  /** Whether GGUF tensor {@code name} is a key projection ({@code blk.N.attn_k.weight}). */
  static boolean isKey(String name) {
    return name.matches("blk\\.\\d+\\.attn_k\\.(weight|bias)");
  }
}
