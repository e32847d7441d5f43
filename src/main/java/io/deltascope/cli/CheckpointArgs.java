package io.deltascope.cli;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.HadoopFiles;
import io.deltascope.checkpoint.HuggingFaceCache;
import io.deltascope.checkpoint.PeftAdapter;

/**
 * Turns a checkpoint argument into a location: a local path, a Hadoop URI, or a HuggingFace model
 * id looked up in the local cache.
 */
final class CheckpointArgs {
  private CheckpointArgs() {}

  static String locate(String argument, String revision) {
    if (HuggingFaceCache.looksLikeModelId(argument)) {
      return HuggingFaceCache.fromEnvironment(System.getenv()).resolve(argument, revision);
    }
    return argument;
  }

  /**
   * The fine-tuned side's location: as {@link #locate}, and a local PEFT adapter folder applied to
   * {@code base} (already located) rather than to its config's base_model_name_or_path.
   */
  static String locateOver(String argument, String base, String revision) {
    String location = locate(argument, revision);
    return !HadoopFiles.isRemote(location) && PeftAdapter.isAdapter(location)
        ? PeftAdapter.over(location, base)
        : location;
  }

  static Checkpoint open(String argument, String revision) {
    return Checkpoint.open(locate(argument, revision));
  }

  static boolean anyRemote(String... arguments) {
    for (String a : arguments) {
      if (HadoopFiles.isRemote(a)) {
        return true;
      }
    }
    return false;
  }
}
