package io.deltascope.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.SafetensorsWriter.Entry;
import io.deltascope.checkpoint.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The architecture of a Llama-family decoder (Llama, Qwen2), enough to lay out its checkpoint: the
 * tensor names and shapes transformers uses, and a matching {@code config.json}.
 *
 * @param name the preset's name ("tinyllama-1.1b")
 * @param modelType {@code model_type}: "llama" or "qwen2"
 * @param numLayers decoder layers
 * @param hiddenSize model width
 * @param intermediateSize MLP width
 * @param numHeads attention heads
 * @param numKvHeads key/value heads (grouped-query attention when fewer than heads)
 * @param vocabSize vocabulary
 * @param qkvBias whether q/k/v projections have biases (Qwen2)
 * @param tied whether the output head is the input embedding (no {@code lm_head.weight} stored)
 * @param ropeTheta rotary base
 * @param rmsNormEps RMSNorm epsilon
 * @param maxPositions {@code max_position_embeddings}
 */
public record ModelShape(
    String name,
    String modelType,
    int numLayers,
    int hiddenSize,
    int intermediateSize,
    int numHeads,
    int numKvHeads,
    int vocabSize,
    boolean qkvBias,
    boolean tied,
    double ropeTheta,
    double rmsNormEps,
    int maxPositions) {

  public static final ModelShape TINYLLAMA_1_1B =
      new ModelShape(
          "tinyllama-1.1b",
          "llama",
          22,
          2048,
          5632,
          32,
          4,
          32000,
          false,
          false,
          10000.0,
          1e-5,
          2048);
  public static final ModelShape QWEN2_5_0_5B =
      new ModelShape(
          "qwen2.5-0.5b",
          "qwen2",
          24,
          896,
          4864,
          14,
          2,
          151936,
          true,
          true,
          1000000.0,
          1e-6,
          32768);
  public static final ModelShape LLAMA_2_7B =
      new ModelShape(
          "llama-2-7b", "llama", 32, 4096, 11008, 32, 32, 32000, false, false, 10000.0, 1e-5, 4096);

  public static final List<ModelShape> PRESETS = List.of(TINYLLAMA_1_1B, QWEN2_5_0_5B, LLAMA_2_7B);

  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelShape {
    if (numHeads <= 0 || hiddenSize % numHeads != 0) {
      throw new IllegalArgumentException(
          name + ": hidden size " + hiddenSize + " is not a multiple of " + numHeads + " heads");
    }
    if (numKvHeads <= 0 || numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(
          name + ": " + numHeads + " heads are not a multiple of " + numKvHeads + " KV heads");
    }
  }

  /** The preset called {@code name}; null when there is none. */
  public static ModelShape preset(String name) {
    for (ModelShape s : PRESETS) {
      if (s.name.equals(name.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    return null;
  }

  public int headDim() {
    return hiddenSize / numHeads;
  }

  public int kvDim() {
    return numKvHeads * headDim();
  }

  /**
   * Every tensor of the checkpoint, in the order written: the embedding, each layer's tensors by
   * name (as safetensors files list them), the final norm, and the head unless tied.
   */
  public List<Entry> tensors() {
    List<Entry> out = new ArrayList<>();
    out.add(matrix("model.embed_tokens.weight", vocabSize, hiddenSize));
    for (int l = 0; l < numLayers; l++) {
      String p = "model.layers." + l + ".";
      out.add(vector(p + "input_layernorm.weight", hiddenSize));
      out.add(matrix(p + "mlp.down_proj.weight", hiddenSize, intermediateSize));
      out.add(matrix(p + "mlp.gate_proj.weight", intermediateSize, hiddenSize));
      out.add(matrix(p + "mlp.up_proj.weight", intermediateSize, hiddenSize));
      out.add(vector(p + "post_attention_layernorm.weight", hiddenSize));
      projection(out, p + "self_attn.k_proj", kvDim(), qkvBias);
      projection(out, p + "self_attn.o_proj", hiddenSize, false);
      projection(out, p + "self_attn.q_proj", hiddenSize, qkvBias);
      projection(out, p + "self_attn.v_proj", kvDim(), qkvBias);
    }
    out.add(vector("model.norm.weight", hiddenSize));
    if (!tied) {
      out.add(matrix("lm_head.weight", vocabSize, hiddenSize));
    }
    return List.copyOf(out);
  }

  private void projection(List<Entry> out, String prefix, int rows, boolean bias) {
    // [rows, hidden]: nn.Linear stores [out_features, in_features]
    out.add(matrix(prefix + ".weight", rows, hiddenSize));
    if (bias) {
      out.add(vector(prefix + ".bias", rows));
    }
  }

  private static Entry matrix(String name, long rows, long cols) {
    return new Entry(name, DType.BF16, Shape.of(rows, cols));
  }

  private static Entry vector(String name, long n) {
    return new Entry(name, DType.BF16, Shape.of(n));
  }

  /** Bytes of all tensors. */
  public long totalBytes() {
    return tensors().stream().mapToLong(Entry::byteLength).sum();
  }

  /** {@code config.json} as transformers 4.x writes it for this architecture, in bf16. */
  public String configJson() {
    ObjectNode c = JSON.createObjectNode();
    c.putArray("architectures")
        .add(modelType.equals("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
    c.put("attention_bias", qkvBias);
    c.put("attention_dropout", 0.0);
    c.put("bos_token_id", 1);
    c.put("eos_token_id", 2);
    c.put("hidden_act", "silu");
    c.put("hidden_size", hiddenSize);
    c.put("initializer_range", 0.02);
    c.put("intermediate_size", intermediateSize);
    c.put("max_position_embeddings", maxPositions);
    c.put("model_type", modelType);
    c.put("num_attention_heads", numHeads);
    c.put("num_hidden_layers", numLayers);
    c.put("num_key_value_heads", numKvHeads);
    c.put("rms_norm_eps", rmsNormEps);
    c.putNull("rope_scaling");
    c.put("rope_theta", ropeTheta);
    c.put("tie_word_embeddings", tied);
    c.put("torch_dtype", "bfloat16");
    c.put("transformers_version", "4.46.0");
    c.put("use_cache", true);
    c.put("vocab_size", vocabSize);
    return c.toPrettyString() + "\n";
  }
}
