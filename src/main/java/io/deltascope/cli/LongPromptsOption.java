package io.deltascope.cli;

import picocli.CommandLine.Option;

/** {@code --allow-long-prompts} of the forward commands: one definition of the option. */
final class LongPromptsOption {
  @Option(
      names = "--allow-long-prompts",
      description = "Run prompts longer than a model's context (max_position_embeddings).")
  boolean allowLongPrompts;
}
