package io.deltascope.checkpoint;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files behind any Hadoop {@code FileSystem} URI ({@code s3a://}, {@code hdfs://}, {@code abfs://}
 * ...). Remote files are never copied whole: headers and tensors are read with positioned reads of
 * exactly the ranges asked for.
 *
 * <p>The configuration (endpoints, credentials: the standard Hadoop and AWS provider chains plus
 * Spark's {@code spark.hadoop.*}) comes from the SparkSession on the driver and travels with the
 * work to executors ({@link #use}).
 */
public final class HadoopFiles {
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+://.*");

  private static volatile Configuration configuration;

  private HadoopFiles() {}

  /** Whether {@code location} is a URI of a file system other than the local one. */
  public static boolean isRemote(String location) {
    return SCHEME.matcher(location).matches() && !location.startsWith("file:");
  }

  /** The configuration remote reads use from now on in this JVM. */
  public static void use(Configuration conf) {
    configuration = withHub(conf);
  }

  /** Applies {@code settings} over the defaults: what an executor receives from the driver. */
  public static void use(Map<String, String> settings) {
    Configuration conf = new Configuration();
    settings.forEach(conf::set);
    configuration = withHub(conf);
  }

  static Configuration configuration() {
    Configuration conf = configuration;
    if (conf == null) {
      conf = withHub(new Configuration());
      configuration = conf;
    }
    return conf;
  }

  // hf:// is ours; uncached, so that each use reads the endpoint and token of its configuration
  private static Configuration withHub(Configuration conf) {
    conf.setIfUnset("fs.hf.impl", io.deltascope.checkpoint.hub.HubFileSystem.class.getName());
    conf.setIfUnset("fs.hf.impl.disable.cache", "true");
    return conf;
  }

  static ByteSource open(String location) {
    try {
      Path path = new Path(location);
      FileSystem fs = path.getFileSystem(configuration());
      FileStatus status = fs.getFileStatus(path);
      // "random": each positioned read asks the store for its range, not the rest of the file
      FSDataInputStream in =
          fs.openFile(path)
              .withFileStatus(status)
              .opt("fs.option.openfile.read.policy", "random")
              // we read exact ranges: no read-ahead past them
              .opt("fs.s3a.readahead.range", "0")
              .build()
              .get();
      return new RemoteSource(location, in, status.getLen());
    } catch (IOException e) {
      throw CheckpointException.of(Locations.redact(location), "cannot open: %s", describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CheckpointException.of(Locations.redact(location), "interrupted while opening");
    } catch (java.util.concurrent.ExecutionException e) {
      throw CheckpointException.of(
          Locations.redact(location), "cannot open: %s", describe(e.getCause()));
    }
  }

  static boolean exists(String location) {
    return status(location) != null;
  }

  static boolean isFile(String location) {
    FileStatus s = status(location);
    return s != null && s.isFile();
  }

  static boolean isDirectory(String location) {
    FileStatus s = status(location);
    return s != null && s.isDirectory();
  }

  static byte[] readAll(String location) {
    Path path = new Path(location);
    try (InputStream in = path.getFileSystem(configuration()).open(path)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw CheckpointException.of(Locations.redact(location), "cannot read: %s", describe(e));
    }
  }

  static String resolve(String folder, String child) {
    return new Path(new Path(folder), child).toString();
  }

  static boolean staysInside(String folder, String child) {
    URI base = new Path(folder).toUri().normalize();
    URI target = new Path(new Path(folder), child).toUri().normalize();
    return !child.startsWith("/")
        && !child.contains("://")
        && target
            .getPath()
            .startsWith(base.getPath().endsWith("/") ? base.getPath() : base.getPath() + "/");
  }

  private static FileStatus status(String location) {
    Path path = new Path(location);
    try {
      return path.getFileSystem(configuration()).getFileStatus(path);
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw CheckpointException.of(Locations.redact(location), "cannot reach: %s", describe(e));
    }
  }

  /** The first line of the cause, without the stack of wrappers the SDK adds. */
  public static String describe(Throwable e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "access denied";
    }
    if (e instanceof FileNotFoundException) {
      return "no such file";
    }
    if (e instanceof org.apache.hadoop.fs.s3a.UnknownStoreException) {
      return "no such bucket";
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (root != e && root.getMessage() != null) {
      message = message + " (" + root.getMessage() + ")";
    }
    return message.lines().findFirst().orElse(message).strip();
  }

  /** A remote file read with positioned reads into heap buffers. */
  private static final class RemoteSource implements ByteSource {
    private final String location;
    private final FSDataInputStream in;
    private final long size;

    RemoteSource(String location, FSDataInputStream in, long size) {
      this.location = location;
      this.in = in;
      this.size = size;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public ByteBuffer read(long offset, int length) throws IOException {
      if (offset < 0 || length < 0 || offset + length > size) {
        throw new IOException(
            String.format(
                "%s: range [%d, %d) is outside the file (%d bytes)",
                location(), offset, offset + length, size));
      }
      byte[] bytes = new byte[length];
      in.readFully(offset, bytes);
      return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String location() {
      return Locations.redact(location);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
