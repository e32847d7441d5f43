package io.deltascope.checkpoint.hub;

import io.deltascope.checkpoint.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Downloads a pinned Hub revision's checkpoint files into the standard HuggingFace cache layout
 * ({@code models--ORG--NAME/blobs/ETAG}, {@code snapshots/SHA/FILE} linking to its blob, {@code
 * refs/REV}), so that transformers and huggingface_hub reuse them and the next run is local. A blob
 * is written to {@code ETAG.incomplete} first, which a later download resumes with a ranged read
 * from where it stopped. A blob the Hub names by its X-Linked-Etag (an LFS file: its sha256) must
 * have that sha256, or its partial file is deleted. File names come from the Hub's listing, which
 * {@link HubClient#revision} checked to stay inside the repo, so inside the snapshot folder.
 */
public final class HubDownload {
  private static final int CHUNK = 16 << 20;

  private HubDownload() {}

  /**
   * Downloads what a checkpoint needs (JSON files, safetensors weights, else pytorch_model*.bin,
   * tokenizer files) of {@code location} (any revision) under {@code cache}; returns the snapshot
   * folder (the subfolder, when the location names one).
   */
  public static Path download(HubPath location, HubSettings settings, Path cache) {
    if (settings.offline()) {
      throw new CheckpointException(location.repo() + ": --download with HF_HUB_OFFLINE=1");
    }
    HubClient client = new HubClient(settings);
    String what = location.toString();
    try {
      HubClient.Revision revision = client.revision(location.repo(), location.revision());
      Path repo = cache.resolve("models--" + location.repo().replace("/", "--"));
      Path snapshot = repo.resolve("snapshots").resolve(revision.commit());
      for (String file : needed(location.path(), revision.files())) {
        what = location.repo() + "/" + file;
        fetch(client, location.repo(), revision.commit(), file, repo, snapshot, what);
      }
      if (!location.revision().equals(revision.commit())) {
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs").resolve(location.revision()), revision.commit());
      }
      return location.path().isEmpty() ? snapshot : snapshot.resolve(location.path());
    } catch (IOException e) {
      throw new CheckpointException("download of " + what + " failed: " + HubRevisions.describe(e));
    }
  }

  static List<String> needed(String folder, Map<String, Long> files) {
    String prefix = folder.isEmpty() ? "" : folder + "/";
    List<String> inFolder = files.keySet().stream().filter(f -> f.startsWith(prefix)).toList();
    boolean safetensors = inFolder.stream().anyMatch(f -> f.endsWith(".safetensors"));
    List<String> needed = new ArrayList<>();
    for (String f : inFolder) {
      String name = f.substring(f.lastIndexOf('/') + 1);
      if (name.endsWith(".json")
          || name.endsWith(".safetensors")
          || name.equals("tokenizer.model")
          || (!safetensors && name.startsWith("pytorch_model") && name.endsWith(".bin"))
          || (!safetensors && name.startsWith("adapter_model") && name.endsWith(".bin"))) {
        needed.add(f);
      }
    }
    return needed;
  }

  private static void fetch(
      HubClient client,
      String repo,
      String commit,
      String file,
      Path repoDir,
      Path snapshot,
      String what)
      throws IOException {
    Path link = snapshot.resolve(file);
    if (Files.exists(link)) {
      return;
    }
    HubClient.FileInfo info = client.head(repo, commit, file);
    Path blobs = Files.createDirectories(repoDir.resolve("blobs"));
    Path blob = blobs.resolve(info.etag());
    if (!Files.isRegularFile(blob) || Files.size(blob) != info.size()) {
      Path partial = blobs.resolve(info.etag() + ".incomplete");
      long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
      if (have > info.size()) {
        Files.delete(partial);
        have = 0;
      }
      MessageDigest sha256 = sha256Of(partial, have);
      try (OutputStream out =
          new DigestOutputStream(
              Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
              sha256)) {
        for (long at = have; at < info.size(); at += CHUNK) {
          int length = (int) Math.min(CHUNK, info.size() - at);
          out.write(client.read(repo, commit, file, at, length, info.size()));
        }
      }
      if (info.linked()) {
        checkSha256(HexFormat.of().formatHex(sha256.digest()), info.etag(), partial, what);
      }
      Files.move(
          partial, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, link.getParent().relativize(blob));
  }

  /** A digest that has seen the first {@code have} bytes of {@code partial} (none when 0). */
  private static MessageDigest sha256Of(Path partial, long have) throws IOException {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    if (have > 0) {
      try (InputStream in = new DigestInputStream(Files.newInputStream(partial), sha256)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
    }
    return sha256;
  }

  // the X-Linked-Etag of an LFS file is its content's sha256: bytes that differ are not the file
  private static void checkSha256(String actual, String linkedEtag, Path partial, String what)
      throws IOException {
    if (!actual.equals(linkedEtag)) {
      Files.delete(partial);
      throw new HubClient.HubException(
          what
              + ": the downloaded bytes' sha256 is "
              + actual
              + ", the Hub's X-Linked-Etag says "
              + linkedEtag
              + " (the partial download is deleted)");
    }
  }
}
