package io.deltascope.cli;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.HadoopFiles;
import io.deltascope.checkpoint.HuggingFaceCache;

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
