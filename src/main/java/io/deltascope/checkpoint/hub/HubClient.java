package io.deltascope.checkpoint.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The HuggingFace Hub's HTTP protocol, as its own clients speak it: {@code GET
 * {endpoint}/api/models/{repo}/revision/{rev}} for a revision's commit and files, {@code
 * {endpoint}/{repo}/resolve/{commit}/{file}} for a file, following a redirect to a content host
 * (weights answer 302 with {@code X-Repo-Commit}, {@code X-Linked-Size}, {@code X-Linked-Etag}),
 * read with {@code Range} requests. The token goes only to the endpoint's host. A rate limit (429)
 * is retried with backoff. Nothing the Hub says is taken on trust: its file names must stay inside
 * the repo ({@link HubPath#isInsideRepo}), a range must come back as the range asked for ({@code
 * Content-Range}) and whole, and a redirect loop ends the read.
 */
public final class HubClient {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER) // the token must not follow a redirect
          .connectTimeout(Duration.ofSeconds(20))
          .build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REDIRECTS = 5;
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final AtomicLong FETCHED = new AtomicLong();
  // an answer that is no range of a file: kept to BoundedBody's limit, never more
  private static final HttpResponse.BodyHandler<byte[]> ANSWER =
      BoundedBody.upTo(BoundedBody.ANSWER_LIMIT);

  private static final int RETRIES = 4;
  private static final long BACKOFF_MILLIS = 500;

  private final HubSettings settings;

  public HubClient(HubSettings settings) {
    this.settings = settings;
  }

  /** Bytes of file content fetched by this JVM so far. */
  public static long bytesFetched() {
    return FETCHED.get();
  }

  /**
   * A revision's commit and files.
   *
   * @param commit the commit sha the revision points to now
   * @param files each file's path in the repo and size (-1 when the Hub did not say)
   */
  public record Revision(String commit, Map<String, Long> files) {}

  public Revision revision(String repo, String revision) throws IOException {
    String url =
        settings.endpoint()
            + "/api/models/"
            + repo
            + "/revision/"
            + URLEncoder.encode(revision, StandardCharsets.UTF_8)
            + "?blobs=true";
    HttpResponse<byte[]> response = send(get(url), repo + "@" + revision, ANSWER);
    if (response.body().length > BoundedBody.ANSWER_LIMIT) {
      throw new HubException(
          repo
              + "@"
              + revision
              + ": the Hub's file listing is over "
              + BoundedBody.ANSWER_LIMIT
              + " bytes");
    }
    JsonNode root = JSON.readTree(response.body());
    String sha = root.path("sha").asText("");
    if (!sha.matches("[0-9a-f]{40}")) {
      throw new IOException(repo + "@" + revision + ": the Hub's answer has no commit sha");
    }
    Map<String, Long> files = new LinkedHashMap<>();
    for (JsonNode s : root.path("siblings")) {
      String file = s.path("rfilename").asText();
      if (!HubPath.isInsideRepo(file)) {
        throw new HubException(
            repo + "@" + revision + ": the Hub lists a file named " + outside(file));
      }
      files.put(file, s.path("size").asLong(-1));
    }
    return new Revision(sha, files);
  }

  /**
   * A file's identity as the HF cache names it.
   *
   * @param etag the blob's name: X-Linked-Etag (an LFS file's sha256) or the ETag, unquoted
   * @param size its size in bytes
   * @param linked whether the etag is the X-Linked-Etag, which is the content's sha256
   */
  public record FileInfo(String etag, long size, boolean linked) {}

  /**
   * {@code file} at {@code commit}: the resolve endpoint's headers, from the answer that carries
   * the X-Linked-Etag (an LFS file's redirect, not followed), else after redirects (a renamed
   * repo).
   */
  public FileInfo head(String repo, String commit, String file) throws IOException {
    String what = repo + "/" + file;
    HttpRequest request =
        request(resolveUrl(repo, commit, file))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<byte[]> r =
        follow(
            request,
            what,
            answer -> answer.headers().firstValue("X-Linked-Etag").isPresent(),
            ANSWER);
    if (!isRedirect(r)) {
      check(r, what);
    }
    Optional<String> linked = r.headers().firstValue("X-Linked-Etag");
    String etag = linked.or(() -> r.headers().firstValue("ETag")).orElse("");
    etag = etag.replaceFirst("^W/", "").replace("\"", "");
    if (!etag.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) { // a blob's file name: no "..", no "/"
      throw new IOException(what + ": the Hub's answer has no usable ETag");
    }
    long size =
        r.headers()
            .firstValueAsLong("X-Linked-Size")
            .orElse(r.headers().firstValueAsLong("Content-Length").orElse(-1));
    if (size < 0) {
      throw new HubException(what + ": the Hub's answer gives no size (X-Linked-Size)");
    }
    return new FileInfo(etag, size, linked.isPresent());
  }

  /** The size of {@code file} at {@code commit}, from the resolve endpoint's headers. */
  public long size(String repo, String commit, String file) throws IOException {
    return head(repo, commit, file).size();
  }

  /**
   * {@code length} bytes of {@code file} (of {@code fileSize} bytes) from {@code offset}, by a
   * ranged read: a 206 must name that range in its {@code Content-Range}, a 200 (a server that
   * ignores Range) must bring the whole file, and either must bring all of its bytes.
   */
  public byte[] read(
      String repo, String commit, String file, long offset, int length, long fileSize)
      throws IOException {
    if (length == 0) {
      return new byte[0];
    }
    String what = repo + "/" + file;
    ByteRange asked = ByteRange.of(offset, length, fileSize);
    HttpRequest.Builder request =
        request(resolveUrl(repo, commit, file))
            .header("Range", "bytes=" + asked.first() + "-" + asked.last())
            .GET();
    HttpResponse<byte[]> r = send(request, what, BoundedBody.forRange(asked));
    FETCHED.addAndGet(r.body().length);
    return r.statusCode() == 206 ? partialContent(r, what, asked) : sliceOfWhole(r, what, asked);
  }

  private static byte[] partialContent(HttpResponse<byte[]> r, String what, ByteRange asked)
      throws HubException {
    String said = r.headers().firstValue("Content-Range").orElse(null);
    if (said == null || !asked.equals(ByteRange.parse(said))) {
      throw new HubException(
          what
              + ": asked for "
              + asked
              + ", the Hub's Content-Range says "
              + (said == null ? "nothing" : "'" + said + "'"));
    }
    return complete(r.body(), what, asked.length(), asked.toString());
  }

  // a 200: the body was read only as far as the range (BoundedBody), so the whole file's length
  // comes from Content-Length, and the range's bytes must all have come
  private static byte[] sliceOfWhole(HttpResponse<byte[]> r, String what, ByteRange asked)
      throws HubException {
    String range = "the whole file: the Hub ignored the range " + asked;
    long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (length < 0) {
      throw new HubException(what + ": " + range + " and did not say how long its answer is");
    }
    if (length != asked.total()) {
      throw new HubException(
          String.format(
              "%s: %s: expected %d bytes (%s), received %d",
              what,
              length < asked.total() ? "short body" : "long body",
              asked.total(),
              range,
              length));
    }
    return complete(r.body(), what, asked.length(), range);
  }

  /** {@code body}, when it has the {@code expected} bytes of {@code range}. */
  private static byte[] complete(byte[] body, String what, long expected, String range)
      throws HubException {
    if (body.length != expected) {
      throw new HubException(
          String.format(
              "%s: %s: expected %d bytes (%s), received %d",
              what,
              body.length < expected ? "short body" : "long body",
              expected,
              range,
              body.length));
    }
    return body;
  }

  /** The resolve URL of {@code file}, which must name a place inside the repo. */
  private String resolveUrl(String repo, String commit, String file) throws HubException {
    if (!HubPath.isInsideRepo(file)) {
      throw new HubException(repo + ": asked for a file named " + outside(file));
    }
    StringBuilder url = new StringBuilder(settings.endpoint() + "/" + repo + "/resolve/" + commit);
    for (String segment : file.split("/")) {
      url.append('/')
          .append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return url.toString();
  }

  private static String outside(String file) {
    return "'" + HubPath.printable(file) + "', not a relative path inside the repo";
  }

  private HttpRequest.Builder get(String url) {
    return request(url).GET();
  }

  private static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
  }

  /**
   * Sends {@code request}, with the token when it goes to the endpoint's host, following redirects
   * (without the token to another host) and retrying rate limits.
   */
  private HttpResponse<byte[]> send(
      HttpRequest.Builder request, String what, HttpResponse.BodyHandler<byte[]> body)
      throws IOException {
    HttpResponse<byte[]> r = follow(request.build(), what, answer -> false, body);
    check(r, what);
    return r;
  }

  /**
   * Sends {@code request} and follows its redirects, until an answer that is no redirect or that
   * {@code last} accepts; a redirect back to an address already asked, or more than {@value
   * #MAX_REDIRECTS} redirects, is named as such.
   */
  private HttpResponse<byte[]> follow(
      HttpRequest request,
      String what,
      Predicate<HttpResponse<byte[]>> last,
      HttpResponse.BodyHandler<byte[]> body)
      throws IOException {
    Set<URI> asked = new HashSet<>();
    for (int hop = 0; ; hop++) {
      asked.add(request.uri());
      HttpResponse<byte[]> r = sendRetrying(request, what, body);
      Optional<String> location = r.headers().firstValue("Location");
      if (!isRedirect(r) || location.isEmpty() || last.test(r)) {
        return r;
      }
      URI next = request.uri().resolve(location.get());
      if (!asked.add(next)) {
        throw new HubException(
            what
                + ": a redirect loop (redirect "
                + (hop + 1)
                + " leads back to an earlier address)");
      }
      if (hop == MAX_REDIRECTS) {
        throw new HubException(what + ": too many redirects (more than " + MAX_REDIRECTS + ")");
      }
      HttpRequest.Builder followed =
          request(next.toString()).method(request.method(), HttpRequest.BodyPublishers.noBody());
      request.headers().firstValue("Range").ifPresent(v -> followed.header("Range", v));
      request = followed.build();
    }
  }

  private static boolean isRedirect(HttpResponse<byte[]> r) {
    return r.statusCode() >= 300 && r.statusCode() < 400;
  }

  private HttpResponse<byte[]> sendRetrying(
      HttpRequest request, String what, HttpResponse.BodyHandler<byte[]> body) throws IOException {
    HttpRequest withToken = authorized(request);
    for (int attempt = 0; ; attempt++) {
      HttpResponse<byte[]> r;
      try {
        r = HTTP.send(withToken, body);
      } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
        throw new HubException(
            what
                + ": cannot reach the Hub at "
                + host(request.uri())
                + " ("
                + e.getClass().getSimpleName()
                + ")");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException(what + ": interrupted");
      } catch (HttpTimeoutException e) {
        throw new HubException(
            what
                + ": no answer from "
                + host(request.uri())
                + " within "
                + TIMEOUT.toMinutes()
                + " minutes");
      } catch (IOException e) { // the connection ended early: the JDK's words say how far it came
        throw new HubException(
            what
                + ": short body: the answer from "
                + host(request.uri())
                + " ended early ("
                + e.getMessage()
                + ")");
      }
      if (r.statusCode() != 429 || attempt >= RETRIES) {
        if (r.statusCode() == 429) {
          throw new HubException(
              what
                  + ": the Hub is rate limiting this client (429) after "
                  + (attempt + 1)
                  + " tries: wait and run again");
        }
        return r;
      }
      long wait =
          r.headers().firstValueAsLong("Retry-After").orElse(0) * 1000
              + BACKOFF_MILLIS * (1L << attempt);
      try {
        Thread.sleep(Math.min(wait, 60_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException(what + ": interrupted");
      }
    }
  }

  // the token only to the endpoint's own host, never to a content host a redirect names
  private HttpRequest authorized(HttpRequest request) {
    if (settings.token() == null
        || !host(request.uri()).equals(host(URI.create(settings.endpoint())))) {
      return request;
    }
    return HttpRequest.newBuilder(request, (name, value) -> true)
        .header("Authorization", "Bearer " + settings.token())
        .build();
  }

  private static String host(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  private void check(HttpResponse<byte[]> r, String what) throws IOException {
    int status = r.statusCode();
    if (status == 200 || status == 206) {
      return;
    }
    String code = r.headers().firstValue("X-Error-Code").orElse("");
    if (code.equals("RepoNotFound")) {
      throw new FileNotFoundException(
          what
              + ": unknown repo"
              + (settings.token() == null
                  ? " (or a private one: set HF_TOKEN)"
                  : ", or the token has no access to it"));
    }
    if (status == 401 || status == 403) {
      if (code.equals("GatedRepo") || settings.token() == null) {
        throw new AccessDeniedException(
            what,
            null,
            "gated or private repo, and "
                + (settings.token() == null
                    ? "no token: set HF_TOKEN (or run huggingface-cli login)"
                    : "the token has no access to it"));
      }
      throw new AccessDeniedException(
          what, null, "the Hub refused the token (" + status + "): check HF_TOKEN");
    }
    if (status == 404) {
      String message =
          switch (code) {
            case "RevisionNotFound" -> "unknown revision";
            case "EntryNotFound" -> "no such file in the repo";
            default -> "not found (404)";
          };
      throw new FileNotFoundException(what + ": " + message);
    }
    throw new IOException(what + ": the Hub answered " + status);
  }

  /** A failure whose message says all: no retry, no wrapping. */
  public static final class HubException extends IOException {
    private static final long serialVersionUID = 1L;

    HubException(String message) {
      super(message);
    }
  }
}
