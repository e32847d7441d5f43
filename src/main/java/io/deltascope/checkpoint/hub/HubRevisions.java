package io.deltascope.checkpoint.hub;

import io.deltascope.checkpoint.CheckpointException;
import java.io.IOException;

/**
 * Pins a Hub location to the commit its revision points to now, on the driver at the start of a
 * run, so that a push during the run cannot mix revisions: {@code hf://org/name@main/sub} becomes
 * {@code hf://org/name@<sha>/sub}.
 */
public final class HubRevisions {
  private HubRevisions() {}

  public static String pin(HubPath location, HubSettings settings) {
    if (settings.offline()) {
      throw new CheckpointException(
          location.repo()
              + ": not in the local HuggingFace cache, and HF_HUB_OFFLINE=1 forbids the Hub");
    }
    try {
      String commit =
          new HubClient(settings).revision(location.repo(), location.revision()).commit();
      return location.at(commit).toString();
    } catch (IOException e) {
      throw new CheckpointException(describe(e));
    }
  }

  /** The message alone: the Hub client's messages already name the repo and the problem. */
  static String describe(IOException e) {
    if (e instanceof java.nio.file.FileSystemException f) {
      return f.getFile() + ": " + f.getReason();
    }
    return e.getMessage();
  }
}
