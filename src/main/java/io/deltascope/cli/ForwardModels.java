package io.deltascope.cli;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.model.DecoderConfig;

/** Checks on the driver, before Spark starts, that a checkpoint can run forward. */
final class ForwardModels {
  private ForwardModels() {}

  /**
   * Checks that the checkpoint is a model the forward pass runs (headers and config: unsupported
   * architectures fail here), without its tokenizer; its config.
   */
  static DecoderConfig checkModel(String location) {
    Checkpoint checkpoint = Checkpoint.open(location);
    DecoderConfig config = DecoderConfig.of(checkpoint.config(), location);
    config.names().modelPrefix(checkpoint);
    return config;
  }
}
