package io.deltascope.checkpoint;

import java.util.List;
import java.util.Map;

/** One weights file's catalogue, whatever its format: what a checkpoint's shards are read into. */
public interface WeightsFile {
  /** The file. */
  String location();

  /** Its tensors, with absolute offsets into {@link #location()}. */
  List<TensorInfo> tensors();

  /** Its string metadata (safetensors' {@code __metadata__}); empty when the format has none. */
  Map<String, String> metadata();

  /**
   * Names the file stores as a second name for another tensor's bytes (a {@code torch.save}d tied
   * head), each to the name in {@link #tensors()}; not tensors of their own.
   */
  default Map<String, String> ties() {
    return Map.of();
  }
}
