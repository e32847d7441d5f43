package io.deltascope.checkpoint.hub;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The HuggingFace Hub as a read-only Hadoop file system for {@code hf://ORG/NAME@REV/path}, so that
 * Hub checkpoints are read like {@code s3a://} ones: headers and tensors by ranged reads of exactly
 * what is asked, from the driver or any executor (which needs only the settings that travel with
 * the work, not the driver's cache). A revision's file list is fetched once per JVM and commit.
 */
public final class HubFileSystem extends FileSystem {
  private static final Map<String, HubClient.Revision> REVISIONS = new ConcurrentHashMap<>();

  private URI uri;
  private HubSettings settings;
  private HubClient client;
  private Path workingDirectory;

  @Override
  public String getScheme() {
    return HubPath.SCHEME;
  }

  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    super.initialize(name, conf);
    this.uri = URI.create(HubPath.SCHEME + "://" + name.getAuthority());
    this.settings = HubSettings.of(conf);
    this.client = new HubClient(settings);
    this.workingDirectory = new Path(uri.toString() + "/");
  }

  @Override
  public URI getUri() {
    return uri;
  }

  private HubPath hub(Path path) throws IOException {
    HubPath p = HubPath.parse(makeQualified(path).toString());
    if (p == null) {
      throw new FileNotFoundException(path + ": not of the form hf://ORG/NAME[@REV]/path");
    }
    return p;
  }

  /** The revision's file list, once per JVM for a commit (a branch is asked each time). */
  HubClient.Revision revision(HubPath p) throws IOException {
    String key = settings.endpoint() + " " + p.repo() + "@" + p.revision();
    HubClient.Revision cached = REVISIONS.get(key);
    if (cached != null) {
      return cached;
    }
    if (settings.offline()) {
      throw new IOException(p + ": HF_HUB_OFFLINE=1 forbids reaching the Hub");
    }
    HubClient.Revision r = client.revision(p.repo(), p.revision());
    if (p.revision().equals(r.commit())) {
      REVISIONS.put(key, r);
    }
    return r;
  }

  @Override
  public FileStatus getFileStatus(Path path) throws IOException {
    HubPath p = hub(path);
    HubClient.Revision r = revision(p);
    Path qualified = makeQualified(path);
    if (p.path().isEmpty()) {
      return new FileStatus(0, true, 1, 0, 0, qualified);
    }
    Long size = r.files().get(p.path());
    if (size != null) {
      long bytes = size >= 0 ? size : client.size(p.repo(), r.commit(), p.path());
      return new FileStatus(bytes, false, 1, 8 << 20, 0, qualified);
    }
    String prefix = p.path() + "/";
    if (r.files().keySet().stream().anyMatch(f -> f.startsWith(prefix))) {
      return new FileStatus(0, true, 1, 0, 0, qualified);
    }
    throw new FileNotFoundException(p + ": no such file in the repo");
  }

  @Override
  public FileStatus[] listStatus(Path path) throws IOException {
    HubPath p = hub(path);
    HubClient.Revision r = revision(p);
    String prefix = p.path().isEmpty() ? "" : p.path() + "/";
    List<FileStatus> children = new ArrayList<>();
    java.util.Set<String> folders = new java.util.TreeSet<>();
    for (Map.Entry<String, Long> f : r.files().entrySet()) {
      if (!f.getKey().startsWith(prefix)) {
        continue;
      }
      String rest = f.getKey().substring(prefix.length());
      Path child =
          new Path(
              makeQualified(path),
              rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
      if (rest.contains("/")) {
        if (folders.add(child.toString())) {
          children.add(new FileStatus(0, true, 1, 0, 0, child));
        }
      } else {
        children.add(new FileStatus(Math.max(f.getValue(), 0), false, 1, 8 << 20, 0, child));
      }
    }
    return children.toArray(new FileStatus[0]);
  }

  @Override
  public FSDataInputStream open(Path path, int bufferSize) throws IOException {
    FileStatus status = getFileStatus(path);
    if (status.isDirectory()) {
      throw new FileNotFoundException(path + ": a folder");
    }
    HubPath p = hub(path);
    String commit = revision(p).commit();
    return new FSDataInputStream(
        new RangedStream(client, p.repo(), commit, p.path(), status.getLen()));
  }

  @Override
  public FSDataOutputStream create(
      Path f, FsPermission p, boolean o, int b, short r, long s, Progressable pr)
      throws IOException {
    throw readOnly(f);
  }

  @Override
  public FSDataOutputStream append(Path f, int bufferSize, Progressable progress)
      throws IOException {
    throw readOnly(f);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    throw readOnly(src);
  }

  @Override
  public boolean delete(Path f, boolean recursive) throws IOException {
    throw readOnly(f);
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    throw readOnly(f);
  }

  @Override
  public void setWorkingDirectory(Path dir) {
    workingDirectory = dir;
  }

  @Override
  public Path getWorkingDirectory() {
    return workingDirectory;
  }

  private static IOException readOnly(Path f) {
    return new IOException(f + ": the Hub is read-only here");
  }

  /**
   * A Hub file read by ranged requests: positioned reads ask for exactly their range; sequential
   * reads (config and index JSON) fetch up to a MB ahead.
   */
  static final class RangedStream extends FSInputStream {
    private static final int AHEAD = 1 << 20;
    private final HubClient client;
    private final String repo;
    private final String commit;
    private final String file;
    private final long size;
    private long position;
    private byte[] buffer = new byte[0];
    private long bufferStart;

    RangedStream(HubClient client, String repo, String commit, String file, long size) {
      this.client = client;
      this.repo = repo;
      this.commit = commit;
      this.file = file;
      this.size = size;
    }

    @Override
    public void seek(long pos) throws IOException {
      if (pos < 0 || pos > size) {
        throw new EOFException(file + ": seek to " + pos + " outside [0, " + size + "]");
      }
      position = pos;
    }

    @Override
    public long getPos() {
      return position;
    }

    @Override
    public boolean seekToNewSource(long targetPos) {
      return false;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (position >= size) {
        return -1;
      }
      if (position < bufferStart || position >= bufferStart + buffer.length) {
        bufferStart = position;
        buffer =
            client.read(repo, commit, file, position, (int) Math.min(AHEAD, size - position), size);
      }
      int n = (int) Math.min(len, bufferStart + buffer.length - position);
      System.arraycopy(buffer, (int) (position - bufferStart), b, off, n);
      position += n;
      return n;
    }

    @Override
    public int read(long pos, byte[] b, int off, int len) throws IOException {
      if (pos >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - pos);
      System.arraycopy(client.read(repo, commit, file, pos, n, size), 0, b, off, n);
      return n;
    }

    @Override
    public void readFully(long pos, byte[] b, int off, int len) throws IOException {
      if (pos < 0 || pos + len > size) {
        throw new EOFException(
            file + ": range [" + pos + ", " + (pos + len) + ") outside the file");
      }
      System.arraycopy(client.read(repo, commit, file, pos, len, size), 0, b, off, len);
    }
  }
}
