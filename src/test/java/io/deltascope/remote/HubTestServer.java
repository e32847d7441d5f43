package io.deltascope.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real HTTP server on 127.0.0.1 that speaks the HuggingFace Hub's protocol over fixture folders:
 * {@code /api/models/{repo}/revision/{rev}} (commit sha and files with sizes), {@code
 * /{repo}/resolve/{sha}/{file}} (small files served, weights redirected with 302 to a second
 * server, the content host, with X-Repo-Commit, X-Linked-Size and X-Linked-Etag), Range requests,
 * gated repos (401 with X-Error-Code GatedRepo without the right token), 404s with the Hub's error
 * codes, and injected 429s. It counts the file bytes it serves and records the Authorization
 * headers the content host receives. A repo can be made to {@link Lie} about its names, ranges and
 * bytes, as a broken or hostile Hub would.
 */
final class HubTestServer implements AutoCloseable {
  private static final Pattern API = Pattern.compile("/api/models/([^/]+/[^/]+)/revision/([^/?]+)");
  private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");
  private static final Pattern BLOB = Pattern.compile("/blobs/([^/]+/[^/]+)/([0-9a-f]{40})/(.+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How a lying repo misbehaves. */
  enum Lie {
    /**
     * The content host answers a range past the first 64 KiB (tensors, not the header) with the
     * same length from 4 bytes earlier, and says so in Content-Range.
     */
    SHIFTED_RANGE,
    /** The content host answers a range with 206 and no Content-Range. */
    NO_CONTENT_RANGE,
    /** The content host ignores Range: 200 with the whole file (honest, if wasteful). */
    WHOLE_FILE,
    /** The content host ignores Range and sends 200 with the file less its last 1000 bytes. */
    SHORT_BODY,
    /** The content host announces the range's length, sends half of it and hangs up. */
    BROKEN_OFF,
    /**
     * The content host answers a range with its Content-Range, then sends zeros without a length
     * (chunked) until the client hangs up or 1 GiB has gone.
     */
    ENDLESS_BODY,
    /** The resolve endpoint redirects every file to itself. */
    REDIRECT_LOOP,
    /** The content host serves the weights with one byte changed (X-Linked-Etag stays true). */
    WRONG_BYTES
  }

  /** A repo: its commits (sha -> folder), its branches (name -> sha), whether it is gated. */
  private record Repo(Map<String, Path> commits, Map<String, String> refs, String token) {}

  private final HttpServer api;
  private final HttpServer content;
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, Lie> lies = new ConcurrentHashMap<>();
  private final Map<String, Map<String, byte[]>> extraFiles = new ConcurrentHashMap<>();
  private final AtomicLong served = new AtomicLong();
  private final AtomicInteger rateLimited = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  final List<String> contentAuthorizations = new CopyOnWriteArrayList<>();

  HubTestServer() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    api = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
    content = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
    api.createContext("/", this::handleApi);
    content.createContext("/", this::handleContent);
    api.setExecutor(Executors.newFixedThreadPool(4));
    content.setExecutor(Executors.newFixedThreadPool(4));
    api.start();
    content.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + api.getAddress().getPort();
  }

  /** Publishes {@code folder} as commit {@code sha} of {@code repo}, and points main at it. */
  HubTestServer publish(String repo, String sha, Path folder) {
    Repo r =
        repos.computeIfAbsent(
            repo, k -> new Repo(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), null));
    r.commits().put(sha, folder);
    r.refs().put("main", sha);
    return this;
  }

  /** Makes {@code repo} gated: only {@code token} may read it. */
  HubTestServer gate(String repo, String sha, Path folder, String token) {
    Repo r = new Repo(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), token);
    r.commits().put(sha, folder);
    r.refs().put("main", sha);
    repos.put(repo, r);
    return this;
  }

  /** Makes {@code repo} misbehave as {@code lie}. */
  HubTestServer lie(String repo, Lie lie) {
    lies.put(repo, lie);
    return this;
  }

  /** Lists and serves, in every commit of {@code repo}, a file named {@code name} (any name). */
  HubTestServer alsoList(String repo, String name, byte[] content) {
    extraFiles.computeIfAbsent(repo, k -> new ConcurrentHashMap<>()).put(name, content);
    return this;
  }

  /** The next {@code n} API requests answer 429. */
  void rateLimitNext(int n) {
    rateLimited.set(n);
  }

  long bytesServed() {
    return served.get();
  }

  int requests() {
    return requests.get();
  }

  void resetCounts() {
    served.set(0);
    requests.set(0);
  }

  private void handleApi(HttpExchange x) throws IOException {
    try (x) {
      requests.incrementAndGet();
      if (rateLimited.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        x.getResponseHeaders().add("Retry-After", "0");
        send(x, 429, "", new byte[0]);
        return;
      }
      String path = x.getRequestURI().getPath();
      Matcher m = API.matcher(path);
      if (m.matches()) {
        Repo repo = authorized(x, m.group(1));
        if (repo != null) {
          revision(x, m.group(1), repo, m.group(2));
        }
        return;
      }
      m = RESOLVE.matcher(path);
      if (m.matches()) {
        Repo repo = authorized(x, m.group(1));
        if (repo != null) {
          resolve(x, m.group(1), repo, m.group(2), m.group(3));
        }
        return;
      }
      send(x, 404, "", new byte[0]);
    }
  }

  private Repo authorized(HttpExchange x, String name) throws IOException {
    Repo repo = repos.get(name);
    if (repo == null) {
      send(x, 401, "RepoNotFound", new byte[0]); // the Hub answers 401 for unknown repos too
      return null;
    }
    String auth = x.getRequestHeaders().getFirst("Authorization");
    if (repo.token() != null && !("Bearer " + repo.token()).equals(auth)) {
      send(x, 401, "GatedRepo", new byte[0]);
      return null;
    }
    return repo;
  }

  private void revision(HttpExchange x, String name, Repo repo, String rev) throws IOException {
    String sha = repo.commits().containsKey(rev) ? rev : repo.refs().get(rev);
    if (sha == null) {
      send(x, 404, "RevisionNotFound", new byte[0]);
      return;
    }
    Path folder = repo.commits().get(sha);
    ObjectNode root = JSON.createObjectNode().put("sha", sha);
    ArrayNode siblings = root.putArray("siblings");
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        siblings
            .addObject()
            .put("rfilename", folder.relativize(f).toString().replace('\\', '/'))
            .put("size", Files.size(f));
      }
    }
    extraFiles
        .getOrDefault(name, Map.of())
        .forEach(
            (file, bytes) -> siblings.addObject().put("rfilename", file).put("size", bytes.length));
    x.getResponseHeaders().add("Content-Type", "application/json");
    send(x, 200, "", JSON.writeValueAsBytes(root));
  }

  private void resolve(HttpExchange x, String name, Repo repo, String sha, String file)
      throws IOException {
    Path folder = repo.commits().get(sha);
    byte[] extra = extraFiles.getOrDefault(name, Map.of()).get(file);
    if (folder != null && extra != null) {
      x.getResponseHeaders().add("ETag", "\"" + Integer.toHexString(file.hashCode()) + "\"");
      if (x.getRequestMethod().equals("HEAD")) {
        x.getResponseHeaders().add("Content-Length", Integer.toString(extra.length));
        x.sendResponseHeaders(200, -1);
      } else {
        send(x, 200, "", extra);
      }
      return;
    }
    if (lies.get(name) == Lie.REDIRECT_LOOP) {
      x.getResponseHeaders().add("Location", x.getRequestURI().toString());
      x.sendResponseHeaders(302, -1);
      return;
    }
    Path f = folder == null ? null : folder.resolve(file).normalize();
    if (f == null || !f.startsWith(folder) || !Files.isRegularFile(f)) {
      send(x, 404, folder == null ? "RevisionNotFound" : "EntryNotFound", new byte[0]);
      return;
    }
    x.getResponseHeaders().add("X-Repo-Commit", sha);
    if (file.endsWith(".safetensors") || file.endsWith(".bin")) {
      x.getResponseHeaders().add("X-Linked-Size", Long.toString(Files.size(f)));
      x.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256(f) + "\"");
      x.getResponseHeaders()
          .add(
              "Location",
              "http://127.0.0.1:"
                  + content.getAddress().getPort()
                  + "/blobs/"
                  + name
                  + "/"
                  + sha
                  + "/"
                  + file);
      x.sendResponseHeaders(302, -1);
      return;
    }
    x.getResponseHeaders().add("ETag", "\"" + Integer.toHexString(f.toString().hashCode()) + "\"");
    serveFile(x, f, null);
  }

  private void handleContent(HttpExchange x) throws IOException {
    try (x) {
      contentAuthorizations.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
      Matcher m = BLOB.matcher(x.getRequestURI().getPath());
      Repo repo = m.matches() ? repos.get(m.group(1)) : null;
      Path folder = repo == null ? null : repo.commits().get(m.group(2));
      if (folder == null) {
        send(x, 404, "", new byte[0]);
        return;
      }
      serveFile(x, folder.resolve(m.group(3)).normalize(), lies.get(m.group(1)));
    }
  }

  private void serveFile(HttpExchange x, Path f, Lie lie) throws IOException {
    long size = Files.size(f);
    if (x.getRequestMethod().equals("HEAD")) {
      x.getResponseHeaders().add("Content-Length", Long.toString(size));
      x.sendResponseHeaders(200, -1);
      return;
    }
    String range = x.getRequestHeaders().getFirst("Range");
    if (lie == Lie.WHOLE_FILE || lie == Lie.SHORT_BODY) {
      range = null;
    }
    long start = 0;
    long end = size - 1;
    int status = 200;
    if (range != null) {
      Matcher r = Pattern.compile("bytes=(\\d+)-(\\d*)").matcher(range);
      if (!r.matches()) {
        send(x, 416, "", new byte[0]);
        return;
      }
      start = Long.parseLong(r.group(1));
      end = r.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(r.group(2)));
      status = 206;
      if (lie == Lie.SHIFTED_RANGE && start >= 64 << 10) {
        start -= 4;
        end -= 4;
      }
      if (lie != Lie.NO_CONTENT_RANGE) {
        x.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + end + "/" + size);
      }
    }
    if (lie == Lie.SHORT_BODY) {
      end = size - 1001;
    }
    if (lie == Lie.ENDLESS_BODY) {
      sendEndless(x, status);
      return;
    }
    byte[] body = new byte[(int) (end - start + 1)];
    try (RandomAccessFile file = new RandomAccessFile(f.toFile(), "r")) {
      file.seek(start);
      file.readFully(body);
    }
    if (lie == Lie.WRONG_BYTES) {
      body[body.length / 2] ^= 1;
    }
    served.addAndGet(body.length);
    if (lie == Lie.BROKEN_OFF) {
      x.sendResponseHeaders(status, body.length);
      x.getResponseBody().write(body, 0, body.length / 2);
      x.getResponseBody().flush();
      throw new IOException("hung up on purpose"); // the exchange closes the connection unfinished
    }
    send(x, status, "", body);
  }

  private void sendEndless(HttpExchange x, int status) throws IOException {
    x.sendResponseHeaders(status, 0);
    byte[] zeros = new byte[64 << 10];
    try (OutputStream out = x.getResponseBody()) {
      for (long sent = 0; sent < 1L << 30; sent += zeros.length) {
        out.write(zeros);
        served.addAndGet(zeros.length);
      }
    } catch (IOException hungUp) {
      // the client stopped reading: what it cost is in served
    }
  }

  private static String sha256(Path f) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange x, int status, String errorCode, byte[] body)
      throws IOException {
    if (!errorCode.isEmpty()) {
      x.getResponseHeaders().add("X-Error-Code", errorCode);
    }
    x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = x.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    api.stop(0);
    content.stop(0);
  }
}
