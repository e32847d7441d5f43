package io.deltascope.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a HuggingFace model id ("org/name", optionally "org/name@revision") to its snapshot in
 * the local HuggingFace cache, the layout {@code huggingface_hub} writes: {@code
 * HUB/models--org--name/refs/REF} holds a commit hash, whose files are in {@code
 * HUB/models--org--name/snapshots/HASH/}. Nothing is downloaded.
 */
public final class HuggingFaceCache {
  private static final Pattern MODEL_ID =
      Pattern.compile(
          "([A-Za-z0-9][A-Za-z0-9._-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)(?:@([A-Za-z0-9._/-]+))?");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  private final Path hub;

  public HuggingFaceCache(Path hub) {
    this.hub = hub;
  }

  /**
   * The cache the environment names: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub.
   */
  public static HuggingFaceCache fromEnvironment(Map<String, String> env) {
    if (env.get("HF_HUB_CACHE") != null) {
      return new HuggingFaceCache(Path.of(env.get("HF_HUB_CACHE")));
    }
    if (env.get("HF_HOME") != null) {
      return new HuggingFaceCache(Path.of(env.get("HF_HOME"), "hub"));
    }
    return new HuggingFaceCache(
        Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub"));
  }

  /** The cache's root folder (HF_HUB_CACHE). */
  public Path root() {
    return hub;
  }

  /**
   * Whether {@code argument} reads as a model id rather than a path: no local file has its name.
   */
  public static boolean looksLikeModelId(String argument) {
    return MODEL_ID.matcher(argument).matches()
        && !HadoopFiles.isRemote(argument)
        && !Files.exists(Path.of(argument));
  }

  /**
   * The snapshot folder of {@code modelId} at {@code revision} ("main" when null; a branch, tag or
   * commit hash; an "@revision" suffix on the id wins).
   */
  public String resolve(String modelId, String revision) {
    Matcher m = MODEL_ID.matcher(modelId);
    if (!m.matches()) {
      throw new CheckpointException(modelId + ": not a HuggingFace model id (expected org/name)");
    }
    String rev = m.group(3) != null ? m.group(3) : revision != null ? revision : "main";
    Path repo = hub.resolve("models--" + m.group(1) + "--" + m.group(2));
    if (!Files.isDirectory(repo)) {
      throw new CheckpointException(
          String.format(
              "%s: not a local path, and not in the HuggingFace cache %s (no %s): download it"
                  + " first (huggingface-cli download %s/%s) or pass its folder",
              modelId, hub, repo.getFileName(), m.group(1), m.group(2)));
    }
    String commit = COMMIT.matcher(rev).matches() ? rev : readRef(repo, rev, modelId);
    Path snapshot = repo.resolve("snapshots").resolve(commit);
    if (!Files.isDirectory(snapshot)) {
      throw new CheckpointException(
          String.format(
              "%s: revision %s (commit %s) is not in the HuggingFace cache %s",
              modelId, rev, commit, hub));
    }
    return snapshot.toString();
  }

  private static String readRef(Path repo, String ref, String modelId) {
    Path file = repo.resolve("refs").resolve(ref);
    if (!file.normalize().startsWith(repo.resolve("refs")) || !Files.isRegularFile(file)) {
      throw new CheckpointException(
          String.format(
              "%s: revision '%s' is not in the HuggingFace cache (no %s)", modelId, ref, file));
    }
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw CheckpointException.of(file, "cannot read: %s", Locations.describe(e));
    }
  }
}
