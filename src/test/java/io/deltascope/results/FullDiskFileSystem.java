package io.deltascope.results;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local disk under the scheme {@value #SCHEME}, as a disk that fills up: once {@link #LEFT}
 * bytes have been written, every write fails with "No space left on device", as the kernel's ENOSPC
 * reads. Registered through {@code fs.fulldisk.impl} (and {@code
 * fs.AbstractFileSystem.fulldisk.impl} for Delta's log store), so no root is needed.
 */
public final class FullDiskFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "fulldisk";

  /** The bytes the disk still takes, shared by every instance. */
  public static final AtomicLong LEFT = new AtomicLong(Long.MAX_VALUE);

  /** Registers the scheme with a Hadoop configuration. */
  public static void register(Configuration conf) {
    conf.set("fs." + SCHEME + ".impl", FullDiskFileSystem.class.getName());
    conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
    conf.set("fs.AbstractFileSystem." + SCHEME + ".impl", Afs.class.getName());
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return limited(
        super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream createNonRecursive(
      Path f,
      FsPermission permission,
      java.util.EnumSet<org.apache.hadoop.fs.CreateFlag> flags,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return limited(
        super.createNonRecursive(
            f, permission, flags, bufferSize, replication, blockSize, progress));
  }

  private FSDataOutputStream limited(FSDataOutputStream out) throws IOException {
    return new FSDataOutputStream(new Limited(out), null);
  }

  /** Counts what is written against {@link #LEFT}. */
  private static final class Limited extends OutputStream {
    private final OutputStream out;

    Limited(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      take(1);
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      take(len);
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    private static void take(long n) throws IOException {
      if (LEFT.addAndGet(-n) < 0) {
        LEFT.set(0);
        throw new IOException("No space left on device");
      }
    }
  }

  /** The same disk for Hadoop's FileContext (Delta's log store writes its commits through it). */
  public static final class Afs extends DelegateToFileSystem {
    public Afs(URI uri, Configuration conf) throws IOException, java.net.URISyntaxException {
      super(uri, new FullDiskFileSystem(), conf, SCHEME, false);
    }
  }
}
