package io.deltascope.cli;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.Environment;
import io.deltascope.checkpoint.HadoopFiles;
import io.deltascope.checkpoint.HuggingFaceCache;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.PeftAdapter;
import io.deltascope.checkpoint.hub.HubDownload;
import io.deltascope.checkpoint.hub.HubPath;
import io.deltascope.checkpoint.hub.HubRevisions;
import io.deltascope.checkpoint.hub.HubSettings;
import java.util.Map;

/**
 * Turns a checkpoint argument into a location: a local path, a Hadoop URI, or a HuggingFace model
 * id looked up in the local cache.
 */
final class CheckpointArgs {
  private CheckpointArgs() {}

  /**
   * A model id from the local HuggingFace cache, else from the Hub; an {@code hf://} location
   * pinned to its revision's current commit, so that the run reads one revision throughout.
   */
  static String locate(String argument, String revision) {
    return locate(argument, revision, false);
  }

  /**
   * As {@link #locate(String, String)}; with {@code download}, a Hub checkpoint is stored in the
   * local HuggingFace cache first and read there.
   */
  static String locate(String argument, String revision, boolean download) {
    HubPath hub = hubPath(argument, revision);
    if (hub == null) {
      return argument;
    }
    Map<String, String> env = Environment.get();
    try {
      String snapshot =
          HuggingFaceCache.fromEnvironment(env).resolve(hub.repo() + "@" + hub.revision(), null);
      String local = hub.path().isEmpty() ? snapshot : Locations.resolve(snapshot, hub.path());
      if (Locations.exists(local)) {
        return local;
      }
    } catch (CheckpointException notCached) {
      if (HubSettings.fromEnvironment(env).offline()) {
        throw new CheckpointException(notCached.getMessage() + " (HF_HUB_OFFLINE=1)");
      }
    }
    return fromHub(hub, env, download);
  }

  /** The Hub location {@code argument} names (an {@code hf://} URI or a model id), else null. */
  private static HubPath hubPath(String argument, String revision) {
    if (HubPath.isHub(argument)) {
      HubPath hub = HubPath.parse(argument);
      if (hub == null) {
        throw new CheckpointException(
            argument + ": not a Hub location (expected hf://ORG/NAME[@REV][/path])");
      }
      return hub;
    }
    if (!HuggingFaceCache.looksLikeModelId(argument)) {
      return null;
    }
    HubPath hub = HubPath.parse(HubPath.SCHEME + "://" + argument);
    return !argument.contains("@") && revision != null ? hub.at(revision) : hub;
  }

  private static String fromHub(HubPath hub, Map<String, String> env, boolean download) {
    HubSettings settings = HubSettings.fromEnvironment(env);
    if (download) {
      return HubDownload.download(hub, settings, HuggingFaceCache.fromEnvironment(env).root())
          .toString();
    }
    return HubRevisions.pin(hub, settings);
  }

  /**
   * The fine-tuned side's location: as {@link #locate}, and a local PEFT adapter folder applied to
   * {@code base} (already located) rather than to its config's base_model_name_or_path.
   */
  static String locateOver(String argument, String base, String revision, boolean download) {
    String location = locate(argument, revision, download);
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
