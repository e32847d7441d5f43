package io.deltascope.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-compatible server on 127.0.0.1 (s3proxy over a folder), behind a small TCP relay that
 * counts the bytes the server sends: what a test asserts about how much of a file was read.
 */
final class S3TestServer implements AutoCloseable {
  static final String ACCESS_KEY = "deltascope-access";
  static final String SECRET_KEY = "s3cr3t-never-printed-8f2a";

  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final ServerSocket relay;
  private final AtomicLong served = new AtomicLong();
  private final List<Socket> sockets = new ArrayList<>();

  S3TestServer(Path folder) throws Exception {
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", folder.toString());
    context =
        ContextBuilder.newBuilder("filesystem")
            .credentials("identity", "credential")
            .overrides(props)
            .build(BlobStoreContext.class);
    proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    for (int i = 0; i < 100 && !"STARTED".equals(proxy.getState()); i++) {
      Thread.sleep(50);
    }
    relay = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "s3-relay");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The endpoint clients use: the counting relay. */
  String endpoint() {
    return "http://127.0.0.1:" + relay.getLocalPort();
  }

  /** Bytes the server has sent to clients so far (headers of responses included). */
  long bytesServed() {
    return served.get();
  }

  void resetCount() {
    served.set(0);
  }

  BlobStore blobStore() {
    return context.getBlobStore();
  }

  /** Uploads every file under {@code folder} to {@code bucket} under {@code prefix}/. */
  void upload(String bucket, String prefix, Path folder) throws IOException {
    blobStore().createContainerInLocation(null, bucket);
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String key = prefix + "/" + folder.relativize(file).toString().replace('\\', '/');
        blobStore()
            .putBlob(
                bucket, blobStore().blobBuilder(key).payload(Files.readAllBytes(file)).build());
      }
    }
  }

  /** Spark settings that point s3a at this server, with few retries so failures come fast. */
  Map<String, String> sparkSettings(String secret) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("spark.hadoop.fs.s3a.endpoint", endpoint());
    s.put("spark.hadoop.fs.s3a.endpoint.region", "us-east-1");
    s.put("spark.hadoop.fs.s3a.path.style.access", "true");
    s.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
    s.put("spark.hadoop.fs.s3a.access.key", ACCESS_KEY);
    s.put("spark.hadoop.fs.s3a.secret.key", secret);
    s.put(
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    s.put("spark.hadoop.fs.s3a.attempts.maximum", "1");
    s.put("spark.hadoop.fs.s3a.retry.limit", "1");
    s.put("spark.hadoop.fs.s3a.retry.interval", "10ms");
    s.put("spark.hadoop.fs.s3a.connection.establish.timeout", "2s");
    s.put("spark.hadoop.fs.s3a.change.detection.mode", "none");
    s.put("spark.hadoop.fs.s3a.bucket.probe", "0");
    return s;
  }

  private void acceptLoop() {
    while (!relay.isClosed()) {
      try {
        Socket client = relay.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), proxy.getPort());
        synchronized (sockets) {
          sockets.add(client);
          sockets.add(server);
        }
        pipe(client.getInputStream(), server.getOutputStream(), null, server);
        pipe(server.getInputStream(), client.getOutputStream(), served, client);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void pipe(InputStream in, OutputStream out, AtomicLong counter, Socket target) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                  if (counter != null) {
                    counter.addAndGet(n);
                  }
                }
              } catch (IOException ignored) {
                // the other side closed
              } finally {
                try {
                  target.shutdownOutput();
                } catch (IOException ignored) {
                  // already closed
                }
              }
            },
            "s3-relay-pipe");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws Exception {
    relay.close();
    synchronized (sockets) {
      for (Socket s : sockets) {
        s.close();
      }
    }
    proxy.stop();
    context.close();
  }
}
