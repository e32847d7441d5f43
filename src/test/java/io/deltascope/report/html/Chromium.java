package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium driven through the DevTools protocol over Java's own WebSocket client: one
 * browser process, pages attached as flat sessions, every event kept for the test to inspect.
 */
final class Chromium implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** The flags issue 8 asks for: headless, and no traffic of the browser's own. */
  static final List<String> FLAGS =
      List.of(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-quic",
          "--disable-default-apps",
          "--disable-extensions",
          "--hide-scrollbars",
          "--mute-audio",
          "--remote-debugging-port=0");

  private static final String INSTALL =
      "run submit/test, which installs the Debian packages of submit/debian-packages.txt"
          + " (chromium among them), or apt-get install chromium";

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<JsonNode> events = java.util.Collections.synchronizedList(new ArrayList<>());

  private Chromium(Process process, WebSocket.Builder builder, URI uri) {
    this.process = process;
    this.socket = builder.buildAsync(uri, new Listener()).join();
  }

  /** The browser binary: $CHROMIUM, else chromium or chromium-browser on the PATH. */
  static Path binary() {
    String configured = System.getenv("CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      if (!Files.isExecutable(Path.of(configured))) {
        throw new IllegalStateException(
            "$CHROMIUM is " + configured + ", which is no executable: " + INSTALL);
      }
      return Path.of(configured);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IllegalStateException(
        "Chromium is not installed (no chromium on the PATH and no $CHROMIUM): " + INSTALL);
  }

  static Chromium start(Path userDataDir) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(FLAGS);
    command.add("--user-data-dir=" + userDataDir);
    command.add("about:blank");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(userDataDir.resolveSibling("chromium.log").toFile())
            .start();
    Path portFile = userDataDir.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "Chromium did not start: see " + userDataDir.resolveSibling("chromium.log"));
      }
      Thread.sleep(50);
    }
    List<String> lines = Files.readAllLines(portFile);
    URI uri = URI.create("ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
    WebSocket.Builder builder =
        HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT);
    return new Chromium(process, builder, uri);
  }

  /** A new tab of {@code width} x {@code height} CSS pixels with the domains tests watch on. */
  Page open(int width, int height) {
    String target =
        call(null, "Target.createTarget", obj().put("url", "about:blank")).get("targetId").asText();
    String session =
        call(null, "Target.attachToTarget", obj().put("targetId", target).put("flatten", true))
            .get("sessionId")
            .asText();
    Page page = new Page(this, session, target);
    page.call("Page.enable", obj());
    page.call("Runtime.enable", obj());
    page.call("Network.enable", obj());
    page.call("Log.enable", obj());
    page.resize(width, height);
    return page;
  }

  static ObjectNode obj() {
    return JSON.createObjectNode();
  }

  /** Sends one command and waits for its result; a protocol error fails the test. */
  JsonNode call(String session, String method, ObjectNode params) {
    int id = ids.incrementAndGet();
    ObjectNode message = obj().put("id", id).put("method", method);
    message.set("params", params);
    if (session != null) {
      message.put("sessionId", session);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    synchronized (socket) {
      socket.sendText(message.toString(), true).join();
    }
    try {
      JsonNode r = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (r.has("error")) {
        throw new IllegalStateException(method + " failed: " + r.get("error"));
      }
      return r.get("result");
    } catch (Exception e) {
      throw new IllegalStateException(method + ": " + e.getMessage(), e);
    } finally {
      pending.remove(id);
    }
  }

  /** Events of one session so far, in order. */
  List<JsonNode> events(String session) {
    synchronized (events) {
      return events.stream().filter(e -> session.equals(e.path("sessionId").asText())).toList();
    }
  }

  /** Waits until an event {@code method} of {@code session} arrived after index {@code from}. */
  void await(String session, String method, int from) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      List<JsonNode> seen = events(session);
      for (int i = from; i < seen.size(); i++) {
        if (method.equals(seen.get(i).path("method").asText())) {
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("no " + method + " within " + TIMEOUT);
  }

  @Override
  public void close() {
    try {
      call(null, "Browser.close", obj());
    } catch (RuntimeException ignored) {
      // the process is destroyed below either way
    }
    socket.abort();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(text.toString());
          if (message.has("id")) {
            CompletableFuture<JsonNode> f = pending.get(message.get("id").asInt());
            if (f != null) {
              f.complete(message);
            }
          } else {
            events.add(message);
          }
        } catch (IOException e) {
          throw new IllegalStateException("unreadable DevTools message", e);
        } finally {
          text.setLength(0);
        }
      }
      ws.request(1);
      return null;
    }
  }
}
