package io.deltascope.job;

import io.deltascope.model.DecoderModel;
import io.deltascope.model.PromptTokenizer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models and tokenizers of this JVM, opened on first use and kept for the JVM's life: an
 * executor opens a checkpoint once however many prompt batches it runs. Opening reads headers and
 * config only; block weights are streamed per batch.
 */
public final class LoadedModels {
  private static final Map<String, DecoderModel> MODELS = new ConcurrentHashMap<>();
  private static final Map<String, PromptTokenizer> TOKENIZERS = new ConcurrentHashMap<>();

  private LoadedModels() {}

  public static DecoderModel model(String location) {
    return MODELS.computeIfAbsent(location, DecoderModel::open);
  }

  public static PromptTokenizer tokenizer(String location) {
    return TOKENIZERS.computeIfAbsent(location, PromptTokenizer::open);
  }
}
