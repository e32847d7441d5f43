package io.deltascope.cli;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.model.DecoderConfig;
import io.deltascope.model.PromptTokenizer;

/** Checks on the driver, before Spark starts, that a checkpoint can run forward. */
final class ForwardModels {
  private ForwardModels() {}

  /** Reads the headers and config (unsupported architectures fail here) and the tokenizer. */
  static PromptTokenizer check(String location) {
    checkModel(location);
    return PromptTokenizer.open(location);
  }

  /** Checks that the checkpoint is a model the forward pass runs, without its tokenizer. */
  static DecoderConfig checkModel(String location) {
    Checkpoint checkpoint = Checkpoint.open(location);
    DecoderConfig config = DecoderConfig.of(checkpoint.config(), location);
    config.names().modelPrefix(checkpoint);
    return config;
  }
}
