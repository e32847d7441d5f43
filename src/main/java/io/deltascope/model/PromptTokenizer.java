package io.deltascope.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.deltascope.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A checkpoint's own tokenizer ({@code tokenizer.json}, through DJL's HuggingFace tokenizers):
 * special tokens as its post-processor adds them, and no truncation (DJL would cut at 512).
 */
public final class PromptTokenizer implements AutoCloseable {
  public static final String FILE = "tokenizer.json";

  private final HuggingFaceTokenizer tokenizer;
  private final String location;

  private PromptTokenizer(HuggingFaceTokenizer tokenizer, String location) {
    this.tokenizer = tokenizer;
    this.location = location;
  }

  /** The tokenizer beside a checkpoint: {@code FOLDER/tokenizer.json}. */
  public static PromptTokenizer open(String checkpoint) {
    Path folder = Path.of(checkpoint);
    if (Files.isRegularFile(folder)) {
      folder = folder.toAbsolutePath().getParent();
    }
    Path file = folder.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw CheckpointException.of(
          folder.toString(), "no %s: the forward pass needs the checkpoint's tokenizer", FILE);
    }
    Djl.configure();
    try {
      HuggingFaceTokenizer t =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(file)
              .optAddSpecialTokens(true)
              .optTruncation(false)
              .optPadding(false)
              .optMaxLength(1 << 20)
              .build();
      return new PromptTokenizer(t, file.toString());
    } catch (IOException | RuntimeException e) {
      throw CheckpointException.of(
          file.toString(), "cannot load the tokenizer: %s", String.valueOf(e.getMessage()));
    }
  }

  /** The prompt's ids and token strings, special tokens included. */
  public Tokens encode(String prompt) {
    Encoding e = tokenizer.encode(prompt, true, false);
    return new Tokens(e.getIds(), Arrays.asList(e.getTokens()));
  }

  /** Ids of a string alone, without special tokens (for tracked tokens). */
  public long[] encodePlain(String text) {
    return tokenizer.encode(text, false, false).getIds();
  }

  /** One id as text (" the"). */
  public String decode(long id) {
    return tokenizer.decode(new long[] {id}, false);
  }

  public String location() {
    return location;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
