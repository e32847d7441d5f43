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
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HuggingFace Hub's HTTP protocol, as its own clients speak it: {@code GET
 * {endpoint}/api/models/{repo}/revision/{rev}} for a revision's commit and files, {@code
 * {endpoint}/{repo}/resolve/{commit}/{file}} for a file, following a redirect to a content host
 * (weights answer 302 with {@code X-Repo-Commit}, {@code X-Linked-Size}, {@code X-Linked-Etag}),
 * read with {@code Range} requests. The token goes only to the endpoint's host. A rate limit (429)
 * is retried with backoff.
 */
public final class HubClient {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER) // the token must not follow a redirect
          .connectTimeout(Duration.ofSeconds(20))
          .build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REDIRECTS = 5;
  private static final AtomicLong FETCHED = new AtomicLong();

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
    HttpResponse<byte[]> response = send(get(url), repo + "@" + revision);
    JsonNode root = JSON.readTree(response.body());
    String sha = root.path("sha").asText("");
    if (!sha.matches("[0-9a-f]{40}")) {
      throw new IOException(repo + "@" + revision + ": the Hub's answer has no commit sha");
    }
    Map<String, Long> files = new LinkedHashMap<>();
    for (JsonNode s : root.path("siblings")) {
      files.put(s.path("rfilename").asText(), s.path("size").asLong(-1));
    }
    return new Revision(sha, files);
  }

  /**
   * A file's identity as the HF cache names it.
   *
   * @param etag the blob's name: X-Linked-Etag (an LFS file's sha256) or the ETag, unquoted
   * @param size its size in bytes
   */
  public record FileInfo(String etag, long size) {}

  /** {@code file} at {@code commit}: the resolve endpoint's headers, before any redirect. */
  public FileInfo head(String repo, String commit, String file) throws IOException {
    HttpRequest request =
        request(resolveUrl(repo, commit, file))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<byte[]> r = sendRetrying(request, repo + "/" + file);
    if (r.statusCode() < 300 || r.statusCode() >= 400) {
      check(r, repo + "/" + file);
    }
    String etag =
        r.headers().firstValue("X-Linked-Etag").or(() -> r.headers().firstValue("ETag")).orElse("");
    etag = etag.replaceFirst("^W/", "").replace("\"", "");
    if (!etag.matches("[A-Za-z0-9._-]+")) {
      throw new IOException(repo + "/" + file + ": the Hub's answer has no usable ETag");
    }
    long size =
        r.headers()
            .firstValueAsLong("X-Linked-Size")
            .orElse(r.headers().firstValueAsLong("Content-Length").orElse(-1));
    return new FileInfo(etag, size);
  }

  /** The size of {@code file} at {@code commit}, from the resolve endpoint's headers. */
  public long size(String repo, String commit, String file) throws IOException {
    return head(repo, commit, file).size();
  }

  /** {@code length} bytes of {@code file} from {@code offset}, by a ranged read. */
  public byte[] read(String repo, String commit, String file, long offset, int length)
      throws IOException {
    if (length == 0) {
      return new byte[0];
    }
    HttpRequest.Builder request =
        request(resolveUrl(repo, commit, file))
            .header("Range", "bytes=" + offset + "-" + (offset + length - 1))
            .GET();
    HttpResponse<byte[]> r = send(request, repo + "/" + file);
    byte[] body = r.body();
    if (r.statusCode() == 200 && body.length > length) {
      // a server that ignores Range: take the range from the whole file
      body = java.util.Arrays.copyOfRange(body, (int) offset, (int) offset + length);
    }
    if (body.length != length) {
      throw new IOException(
          String.format(
              "%s/%s: asked for %d bytes at %d, the Hub sent %d",
              repo, file, length, offset, body.length));
    }
    FETCHED.addAndGet(length);
    return body;
  }

  private String resolveUrl(String repo, String commit, String file) {
    return settings.endpoint() + "/" + repo + "/resolve/" + commit + "/" + file;
  }

  private HttpRequest.Builder get(String url) {
    return request(url).GET();
  }

  private static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2));
  }

  /**
   * Sends {@code request}, with the token when it goes to the endpoint's host, following redirects
   * (without the token to another host) and retrying rate limits.
   */
  private HttpResponse<byte[]> send(HttpRequest.Builder request, String what) throws IOException {
    HttpRequest built = request.build();
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpResponse<byte[]> r = sendRetrying(built, what);
      int status = r.statusCode();
      if (status >= 300 && status < 400 && r.headers().firstValue("Location").isPresent()) {
        URI next = built.uri().resolve(r.headers().firstValue("Location").get());
        HttpRequest.Builder follow =
            request(next.toString()).method(built.method(), HttpRequest.BodyPublishers.noBody());
        built.headers().firstValue("Range").ifPresent(v -> follow.header("Range", v));
        built = follow.build();
        continue;
      }
      check(r, what);
      return r;
    }
    throw new IOException(what + ": more than " + MAX_REDIRECTS + " redirects");
  }

  private HttpResponse<byte[]> sendRetrying(HttpRequest request, String what) throws IOException {
    HttpRequest withToken = authorized(request);
    for (int attempt = 0; ; attempt++) {
      HttpResponse<byte[]> r;
      try {
        r = HTTP.send(withToken, HttpResponse.BodyHandlers.ofByteArray());
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
