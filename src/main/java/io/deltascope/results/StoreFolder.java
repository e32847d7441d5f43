package io.deltascope.results;

import io.deltascope.checkpoint.HadoopFiles;
import io.deltascope.checkpoint.Locations;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The folder of a results store: its marker ({@value #MARKER}, which names the schema version) and
 * its tables, one Delta table per folder ({@code DIR/<table>/_delta_log}).
 */
final class StoreFolder {
  static final String MARKER = "_deltascope.json";
  static final String DELTA_LOG = "_delta_log";

  /**
   * A Delta commit or checkpoint file: {@code 00000000000000000000.json}, {@code ...checkpoint...}.
   */
  private static final Pattern COMMIT = Pattern.compile("\\d{20}\\.(json|checkpoint\\..+)");

  private static final Pattern VERSION = Pattern.compile("\"schema_version\"\\s*:\\s*(\\d+)");

  private final Path root;
  private final Configuration conf;

  StoreFolder(Path root, Configuration conf) {
    this.root = root;
    this.conf = conf;
  }

  Path root() {
    return root;
  }

  Path table(String name) {
    return new Path(root, name);
  }

  /** The table's folder as a full URI (Delta's table builder refuses a relative path). */
  String qualified(String name) {
    try {
      return fs().makeQualified(table(name)).toString();
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  String name() {
    return Locations.redact(root.toString());
  }

  /** Checks the store can be read by this version: it exists, is a store, of this schema. */
  void checkReadable() {
    try {
      FileSystem fs = fs();
      if (!fs.exists(root)) {
        throw new StoreException(name() + ": no such results store");
      }
      checkVersion(fs, true);
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  /**
   * Checks the store can take a run, creating it (its folder and marker) where there is none: a
   * folder that holds anything but a store is refused.
   */
  void prepareForWrite() {
    try {
      FileSystem fs = fs();
      if (!checkWritable(fs) || checkVersion(fs, true) < Tables.SCHEMA_VERSION) {
        // a version 3 store: its runs from now on carry counts an older deltascope would not
        // keep true, so that one refuses it
        writeMarker(fs, Tables.SCHEMA_VERSION);
      }
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  /**
   * Checks, through {@code fs}, that the store at {@code root} could take a run, writing nothing:
   * what {@link #prepareForWrite} refuses is refused before any work.
   */
  static void checkWritable(FileSystem fs, Path root) throws IOException {
    StoreFolder folder = new StoreFolder(root, fs.getConf());
    if (folder.checkWritable(fs)) {
      folder.checkVersion(fs, true);
    }
  }

  /** True when the store exists (its marker; its version is not checked); false when none yet. */
  private boolean checkWritable(FileSystem fs) throws IOException {
    checkNotInAFile(fs);
    if (fs.exists(new Path(root, MARKER))) {
      return true;
    }
    // a marker another writer is writing (its temporary file) does not make the folder foreign
    if (fs.exists(root) && fs.listStatus(root, p -> !isMarker(p)).length > 0) {
      throw new StoreException(
          name() + ": not a deltascope results store (no " + MARKER + ") and not empty");
    }
    return false;
  }

  /**
   * Refuses a store that is a file, or whose folder would have to be made inside a file: the
   * nearest path of {@code root} and its parents that exists must be a folder.
   */
  private void checkNotInAFile(FileSystem fs) throws IOException {
    Path wanted = fs.makeQualified(root);
    Path at = wanted;
    FileStatus found = status(fs, at);
    while (found == null && at.getParent() != null) { // the folder it would be made in
      at = at.getParent();
      found = status(fs, at);
    }
    if (found == null || found.isDirectory()) {
      return;
    }
    if (at.equals(wanted)) {
      throw new StoreException(name() + ": is a file, expected a results store folder");
    }
    Object file =
        HadoopFiles.isRemote(root.toString())
            ? Locations.redact(at.toString())
            : Path.getPathWithoutSchemeAndAuthority(at);
    throw new StoreException(
        name() + ": " + file + " is a file, so the results store folder cannot be made in it");
  }

  private static FileStatus status(FileSystem fs, Path path) throws IOException {
    try {
      return fs.getFileStatus(path);
    } catch (java.io.FileNotFoundException e) {
      return null;
    }
  }

  /** The schema version the marker names; the store must exist and have one. */
  int version() {
    try {
      return checkVersion(fs(), false);
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  void writeMarker(int version) {
    try {
      writeMarker(fs(), version);
    } catch (IOException e) {
      throw new StoreException(
          name() + ": cannot write " + MARKER + ": " + HadoopFiles.describe(e), e);
    }
  }

  /**
   * The store's tables: its folders but those starting with "_" or "." and those another writer is
   * creating (a log without its first commit yet: no rows of any run), sorted.
   */
  List<String> tables() {
    try {
      FileSystem fs = fs();
      List<String> names = new ArrayList<>();
      for (FileStatus status : fs.listStatus(root)) {
        String name = status.getPath().getName();
        if (status.isDirectory()
            && !name.startsWith("_")
            && !name.startsWith(".")
            && logState(fs, status.getPath()) != LogState.BARE) {
          names.add(name);
        }
      }
      Collections.sort(names);
      return names;
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  /**
   * Whether the table has a committed version: a commit or checkpoint in its {@code _delta_log}. A
   * log folder without one is a table another writer is creating right now (its first commit is not
   * in yet), which is no table to read or to skip creating.
   */
  boolean isDelta(String table) {
    try {
      return logState(fs(), table(table)) == LogState.COMMITTED;
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  /** Whether the table's folder has a {@code _delta_log} folder, committed or not. */
  boolean hasLog(String table) {
    try {
      return logState(fs(), table(table)) != LogState.NONE;
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  private enum LogState {
    NONE,
    /** a log folder without a commit yet: another writer creating the table, or one killed so */
    BARE,
    COMMITTED
  }

  private static LogState logState(FileSystem fs, Path folder) throws IOException {
    Path log = new Path(folder, DELTA_LOG);
    try {
      if (!fs.exists(log)) {
        return LogState.NONE;
      }
      return fs.listStatus(log, p -> COMMIT.matcher(p.getName()).matches()).length > 0
          ? LogState.COMMITTED
          : LogState.BARE;
    } catch (FileNotFoundException e) {
      return LogState.NONE; // the folder went between the two calls: a creation rolled back
    }
  }

  FileSystem fs() throws IOException {
    return root.getFileSystem(conf);
  }

  private int checkVersion(FileSystem fs, boolean current) throws IOException {
    Path marker = new Path(root, MARKER);
    if (!fs.exists(marker)) {
      throw new StoreException(name() + ": not a deltascope results store (no " + MARKER + ")");
    }
    int version = markerVersion(fs);
    if (current && version < Tables.FIRST_DELTA_VERSION) {
      throw new StoreException(
          name()
              + ": a results store of schema version "
              + version
              + " (plain Parquet); run `deltascope store upgrade --results "
              + name()
              + "` to convert it to version "
              + Tables.SCHEMA_VERSION);
    }
    if (version > Tables.SCHEMA_VERSION) {
      throw new StoreException(
          name()
              + ": a results store of schema version "
              + version
              + ", newer than this deltascope's "
              + Tables.SCHEMA_VERSION);
    }
    return version;
  }

  /** The marker, its temporary file while written, or their checksums (a local file system's). */
  private static boolean isMarker(Path file) {
    String name = file.getName();
    return name.startsWith(MARKER) || name.startsWith("." + MARKER);
  }

  private int markerVersion(FileSystem fs) throws IOException {
    String text;
    try (var in = fs.open(new Path(root, MARKER))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Matcher m = VERSION.matcher(text);
    if (!m.find()) {
      throw new StoreException(name() + ": " + MARKER + " names no schema_version");
    }
    return Integer.parseInt(m.group(1));
  }

  /**
   * Writes the marker whole or not at all: to a temporary file renamed into place, so a writer
   * starting on the same new store never reads a marker half-written.
   */
  private void writeMarker(FileSystem fs, int version) throws IOException {
    fs.mkdirs(root);
    Path marker = new Path(root, MARKER);
    Path partial = new Path(root, MARKER + "." + UUID.randomUUID() + ".tmp");
    try (FSDataOutputStream out = fs.create(partial, false)) {
      out.write(
          ("{\"format\": \"deltascope results\", \"table_format\": \"delta\", \"schema_version\": "
                  + version
                  + "}\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    if (!fs.rename(partial, marker)) { // this file system's rename keeps an existing target
      if (fs.exists(marker) && markerVersion(fs) == version) {
        fs.delete(partial, false); // another writer created the same store meanwhile
        return;
      }
      fs.delete(marker, false); // an upgrade replaces the old version's marker
      if (!fs.rename(partial, marker)) {
        fs.delete(partial, false);
        throw new IOException("cannot rename " + partial + " to " + marker);
      }
    }
  }

  private StoreException unreadable(IOException e) {
    return new StoreException(
        name() + ": cannot read the results store: " + HadoopFiles.describe(e), e);
  }
}
