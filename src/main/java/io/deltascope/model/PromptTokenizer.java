package io.deltascope.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.PeftAdapter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint's own tokenizer ({@code tokenizer.json}, through DJL's HuggingFace tokenizers):
 * special tokens as its post-processor adds them, and no truncation (DJL would cut at 512).
 */
public final class PromptTokenizer implements AutoCloseable {
  public static final String FILE = "tokenizer.json";

  private final HuggingFaceTokenizer tokenizer;
  private final String location;
  private final byte[] json;

  private PromptTokenizer(HuggingFaceTokenizer tokenizer, String location, byte[] json) {
    this.tokenizer = tokenizer;
    this.location = location;
    this.json = json;
  }

  /** Whether {@code checkpoint} has a tokenizer of its own beside it (an adapter: its base's). */
  public static boolean exists(String checkpoint) {
    return Locations.isFile(Locations.resolve(folderOf(checkpoint), FILE));
  }

  /** The tokenizer beside a checkpoint: {@code FOLDER/tokenizer.json}, local or remote. */
  public static PromptTokenizer open(String checkpoint) {
    String folder = folderOf(checkpoint);
    String file = Locations.resolve(folder, FILE);
    if (!Locations.isFile(file)) {
      throw CheckpointException.of(
          folder, "no %s: the forward pass needs the checkpoint's tokenizer", FILE);
    }
    Djl.configure();
    String unlimited = Integer.toString(1 << 24);
    Map<String, String> options =
        Map.of(
            "addSpecialTokens", "true",
            "truncation", "false",
            "padding", "false",
            "maxLength", unlimited,
            "modelMaxLength", unlimited);
    byte[] json = Locations.readAll(file);
    try (InputStream in = new ByteArrayInputStream(json)) {
      return new PromptTokenizer(HuggingFaceTokenizer.newInstance(in, options), file, json);
    } catch (IOException | RuntimeException e) {
      throw CheckpointException.of(
          file, "cannot load the tokenizer: %s", String.valueOf(e.getMessage()));
    }
  }

  private static String folderOf(String checkpoint) {
    if (PeftAdapter.isAdapter(checkpoint)) {
      return PeftAdapter.tokenizerFolder(checkpoint, FILE);
    }
    if (Locations.isFile(checkpoint)) {
      Path parent = Path.of(checkpoint).toAbsolutePath().getParent();
      return parent == null ? "." : parent.toString();
    }
    return checkpoint;
  }

  /** The prompt's ids and token strings, special tokens included. */
  public Tokens encode(String prompt) {
    Encoding e = tokenizer.encode(prompt, true, false);
    return new Tokens(e.getIds(), Arrays.asList(e.getTokens()));
  }

  /** A text's ids and token strings without special tokens (a corpus to cut into windows). */
  public Tokens encodeText(String text) {
    Encoding e = tokenizer.encode(text, false, false);
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

  /**
   * The first of ids 0 to {@code ids - 1} that the two tokenizers give different text, as "id N is
   * 'a' in FILE but 'b' in FILE"; empty when each id means the same in both (two copies of one
   * tokenizer.json, the common case, are not decoded).
   */
  public Optional<String> firstDifference(PromptTokenizer other, int ids) {
    if (Arrays.equals(json, other.json)) {
      return Optional.empty();
    }
    for (long id = 0; id < ids; id++) {
      String here = decode(id);
      String there = other.decode(id);
      if (!here.equals(there)) {
        return Optional.of(
            String.format(
                "id %d is '%s' in %s but '%s' in %s", id, here, location, there, other.location));
      }
    }
    return Optional.empty();
  }

  public String location() {
    return location;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
