package io.deltascope.cli;

import picocli.CommandLine.Option;

/**
 * {@code --download}: Hub checkpoints stored in the local HuggingFace cache rather than streamed.
 */
final class DownloadOption {
  @Option(
      names = "--download",
      description =
          "Store HuggingFace Hub checkpoints in the local HuggingFace cache (the layout"
              + " huggingface_hub writes; an interrupted download resumes) and read them there,"
              + " instead of streaming them by ranged reads.")
  boolean download;
}
