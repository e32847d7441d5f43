package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TensorRoleTest {

  @ParameterizedTest(name = "{1}: {0} is layer {2} {3}")
  @CsvSource({
    "model.embed_tokens.weight, llama, , embed",
    "model.layers.0.self_attn.q_proj.weight, llama, 0, attn_q",
    "model.layers.11.self_attn.k_proj.weight, mistral, 11, attn_k",
    "model.layers.3.self_attn.v_proj.bias, qwen2, 3, attn_v_bias",
    "model.layers.2.self_attn.o_proj.weight, qwen3, 2, attn_o",
    "model.layers.2.self_attn.q_norm.weight, qwen3, 2, attn_q_norm",
    "model.layers.2.self_attn.k_norm.weight, gemma3_text, 2, attn_k_norm",
    "model.layers.1.mlp.gate_proj.weight, llama, 1, mlp_gate",
    "model.layers.1.mlp.up_proj.weight, llama, 1, mlp_up",
    "model.layers.1.mlp.down_proj.weight, llama, 1, mlp_down",
    "model.layers.1.input_layernorm.weight, llama, 1, norm_attn",
    "model.layers.1.post_attention_layernorm.weight, llama, 1, norm_mlp",
    "model.layers.1.post_attention_layernorm.weight, gemma3_text, 1, norm_post_attn",
    "model.layers.1.pre_feedforward_layernorm.weight, gemma3_text, 1, norm_pre_mlp",
    "model.layers.1.post_feedforward_layernorm.weight, gemma3_text, 1, norm_post_mlp",
    "model.norm.weight, llama, , norm_final",
    "lm_head.weight, llama, , lm_head",
    "transformer.wte.weight, gpt2, , embed",
    "transformer.wpe.weight, gpt2, , pos_embed",
    "transformer.h.0.ln_1.weight, gpt2, 0, norm_attn",
    "transformer.h.0.ln_1.bias, gpt2, 0, norm_attn_bias",
    "transformer.h.0.attn.c_attn.weight, gpt2, 0, attn_qkv",
    "transformer.h.0.attn.c_proj.bias, gpt2, 0, attn_o_bias",
    "transformer.h.0.ln_2.weight, gpt2, 0, norm_mlp",
    "transformer.h.0.mlp.c_fc.weight, gpt2, 0, mlp_fc",
    "transformer.h.0.mlp.c_proj.weight, gpt2, 0, mlp_proj",
    "transformer.ln_f.bias, gpt2, , norm_final_bias",
    "h.5.mlp.c_fc.weight, gpt2, 5, mlp_fc",
    "model.layers.7.self_attn.qkv_proj.weight, phi3, 7, attn_qkv",
    "model.layers.7.mlp.gate_up_proj.weight, phi3, 7, mlp_gate_up",
    "language_model.model.layers.4.mlp.down_proj.weight, gemma3, 4, mlp_down",
    "score.weight, llama, , other",
    "model.layers.1.rotary_emb.inv_freq, llama, , other",
  })
  void namesLayerAndComponentAcrossFamilies(
      String name, String modelType, Integer layer, String component) {
    assertThat(TensorRole.of(name, modelType)).isEqualTo(new TensorRole(layer, component));
  }
}
