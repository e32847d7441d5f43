package io.deltascope.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltascope.Fixtures;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.ModelConfig;
import org.junit.jupiter.api.Test;

/** Each family's particulars read from config.json, in the transformers 4.x and 5.x styles. */
class DecoderConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static DecoderConfig parse(String json) throws Exception {
    return DecoderConfig.of(ModelConfig.fromJson(JSON.readTree(json)), "config.json");
  }

  private static DecoderConfig fixture(String name) {
    return DecoderConfig.of(
        ModelConfig.read(Fixtures.model(name).resolve("config.json").toString()), name);
  }

  @Test
  void llamaFixtureIsGroupedQueryAttentionWithPlainRope() {
    DecoderConfig c = fixture("llama-base");
    assertThat(c.family()).isEqualTo(Family.LLAMA);
    assertThat(c.numLayers()).isEqualTo(4);
    assertThat(c.numHeads()).isEqualTo(4);
    assertThat(c.numKvHeads()).isEqualTo(2);
    assertThat(c.headDim()).isEqualTo(32);
    assertThat(c.groupSize()).isEqualTo(2);
    assertThat(c.norm()).isEqualTo(DecoderConfig.NormKind.RMS);
    assertThat(c.normOffset()).isZero();
    assertThat(c.tied()).isFalse();
    assertThat(c.layers()).allSatisfy(l -> assertThat(l.slidingWindow()).isZero());
    assertThat(c.layers().get(0).rope().theta()).isEqualTo(10000.0);
  }

  @Test
  void gemma3FixtureHasItsSlidingLayersWithTheirOwnRopeBase() {
    DecoderConfig c = fixture("gemma3-base");
    assertThat(c.family()).isEqualTo(Family.GEMMA3);
    assertThat(c.normOffset()).isEqualTo(1f);
    assertThat(c.qkNorm()).isTrue();
    assertThat(c.sandwichNorms()).isTrue();
    assertThat(c.embedScale()).isEqualTo((float) Math.sqrt(128));
    assertThat(c.activation()).isEqualTo(DecoderConfig.Activation.GELU_TANH);
    assertThat(c.attnScale()).isCloseTo(1 / Math.sqrt(32), within(1e-12));
    assertThat(c.layers().stream().map(DecoderConfig.LayerSpec::slidingWindow))
        .containsExactly(8, 8, 8, 0);
    assertThat(c.layers().get(0).rope().theta()).isEqualTo(10_000.0);
    assertThat(c.layers().get(3).rope().theta()).isEqualTo(1_000_000.0);
    assertThat(c.tied()).isTrue();
  }

  @Test
  void gemma3In4xStyleTakesLocalBaseFrequencyAndPatternAndScaledGlobalRope() throws Exception {
    DecoderConfig c =
        parse(
            """
            {"model_type": "gemma3_text", "hidden_size": 64, "num_hidden_layers": 6,
             "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 32,
             "intermediate_size": 128, "vocab_size": 100, "rms_norm_eps": 1e-6,
             "rope_theta": 1000000.0, "rope_local_base_freq": 10000.0,
             "rope_scaling": {"rope_type": "linear", "factor": 8.0},
             "sliding_window": 512, "sliding_window_pattern": 6,
             "query_pre_attn_scalar": 256, "final_logit_softcapping": 30.0,
             "hidden_activation": "gelu_pytorch_tanh", "torch_dtype": "bfloat16"}
            """);
    assertThat(c.layers().stream().map(DecoderConfig.LayerSpec::slidingWindow))
        .containsExactly(512, 512, 512, 512, 512, 0);
    assertThat(c.layers().get(0).rope()).isEqualTo(RopeSpec.plain(10_000));
    RopeSpec global = c.layers().get(5).rope();
    assertThat(global.type()).isEqualTo("linear");
    assertThat(global.factor()).isEqualTo(8.0);
    assertThat(global.inverseFrequencies(32)[0]).isEqualTo(1f / 8);
    assertThat(c.attnScale()).isCloseTo(1.0 / 16, within(1e-12));
    assertThat(c.finalSoftcap()).isEqualTo(30.0);
  }

  @Test
  void llama3RopeScalingIn4xStyleKeepsHighFrequenciesAndDividesLowOnes() throws Exception {
    String common =
        """
        "model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 2,
        "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
        "vocab_size": 128256, "rms_norm_eps": 1e-5,
        """;
    String scaling =
        """
        "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192, "rope_type": "llama3"
        """;
    DecoderConfig v4 =
        parse("{" + common + "\"rope_theta\": 500000.0, \"rope_scaling\": {" + scaling + "}}");
    DecoderConfig v5 =
        parse("{" + common + "\"rope_parameters\": {\"rope_theta\": 500000.0, " + scaling + "}}");
    RopeSpec rope = v4.layers().get(0).rope();
    assertThat(v5.layers().get(0).rope()).isEqualTo(rope);
    assertThat(rope.type()).isEqualTo("llama3");
    float[] scaled = rope.inverseFrequencies(128);
    float[] plain = RopeSpec.plain(500000).inverseFrequencies(128);
    // wavelength below 8192 / 4: unchanged; above 8192: divided by 8; between: interpolated
    assertThat(scaled[0]).isEqualTo(plain[0]);
    assertThat(scaled[63]).isCloseTo(plain[63] / 8, within(1e-12f));
    for (int i = 0; i < 64; i++) {
      double wavelen = 2 * Math.PI / plain[i];
      if (wavelen > 2048 && wavelen < 8192) {
        assertThat(scaled[i]).isBetween(plain[i] / 8, plain[i]);
      }
    }
    assertThat(v4.headDim()).isEqualTo(128);
    assertThat(v4.numKvHeads()).isEqualTo(8);
  }

  @Test
  void mistral4xWithSlidingWindowSlidesEveryLayer() throws Exception {
    DecoderConfig c =
        parse(
            """
            {"model_type": "mistral", "hidden_size": 64, "num_hidden_layers": 3,
             "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128,
             "vocab_size": 100, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
             "sliding_window": 4096, "torch_dtype": "bfloat16"}
            """);
    assertThat(c.family()).isEqualTo(Family.MISTRAL);
    assertThat(c.layers()).allSatisfy(l -> assertThat(l.slidingWindow()).isEqualTo(4096));
  }

  @Test
  void qwen2SlidesOnlyFromMaxWindowLayersWhenAskedTo() throws Exception {
    String json =
        """
        {"model_type": "qwen2", "hidden_size": 64, "num_hidden_layers": 4,
         "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128,
         "vocab_size": 100, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
         "sliding_window": 16, "max_window_layers": 2, "use_sliding_window": %s}
        """;
    assertThat(parse(json.formatted("false")).layers())
        .allSatisfy(l -> assertThat(l.slidingWindow()).isZero());
    assertThat(
            parse(json.formatted("true")).layers().stream()
                .map(DecoderConfig.LayerSpec::slidingWindow))
        .containsExactly(0, 0, 16, 16);
  }

  @Test
  void qwen3HasQkNormsWithoutOffset() throws Exception {
    DecoderConfig c =
        parse(
            """
            {"model_type": "qwen3", "hidden_size": 64, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32,
             "intermediate_size": 128, "vocab_size": 100, "rms_norm_eps": 1e-6,
             "rope_parameters": {"rope_theta": 1000000.0, "rope_type": "default"},
             "tie_word_embeddings": true, "dtype": "bfloat16"}
            """);
    assertThat(c.qkNorm()).isTrue();
    assertThat(c.normOffset()).isZero();
    assertThat(c.headDim()).isEqualTo(32); // not hidden / heads = 16
    assertThat(c.names().qNorm()).isEqualTo("self_attn.q_norm");
    assertThat(c.tied()).isTrue();
  }

  @Test
  void gpt2IsLayerNormConv1dLearnedPositionsAndTied() {
    DecoderConfig c = fixture("gpt2-base");
    assertThat(c.family()).isEqualTo(Family.GPT2);
    assertThat(c.norm()).isEqualTo(DecoderConfig.NormKind.LAYER);
    assertThat(c.conv1d()).isTrue();
    assertThat(c.learnedPositions()).isTrue();
    assertThat(c.gatedMlp()).isFalse();
    assertThat(c.intermediate()).isEqualTo(512);
    assertThat(c.normEps()).isEqualTo(1e-5);
    assertThat(c.tied()).isTrue();
    assertThat(c.layers()).allSatisfy(l -> assertThat(l.rope()).isNull());
  }

  @Test
  void anUnsupportedArchitectureIsRefusedNamingTheSupportedOnes() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    {"model_type": "bert", "hidden_size": 64, "num_hidden_layers": 2,
                     "num_attention_heads": 4}
                    """))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("model_type 'bert'")
        .hasMessageContaining("llama, mistral, qwen2, qwen3, gemma3_text, gpt2");
  }

  @Test
  void anUnsupportedRopeTypeIsRefusedByName() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
                     "num_attention_heads": 4, "rope_theta": 10000.0,
                     "rope_scaling": {"rope_type": "yarn", "factor": 4.0}}
                    """))
        .hasMessageContaining("rope_type 'yarn'");
  }
}
