package io.deltascope.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** One tab of {@link Chromium}: load, evaluate, hover, click, screenshot, and what it logged. */
final class Page {
  private final Chromium browser;
  private final String session;
  private final String target;
  private int mark;

  Page(Chromium browser, String session, String target) {
    this.browser = browser;
    this.session = session;
    this.target = target;
  }

  JsonNode call(String method, ObjectNode params) {
    return browser.call(session, method, params);
  }

  void resize(int width, int height) {
    call(
        "Emulation.setDeviceMetricsOverride",
        Chromium.obj()
            .put("width", width)
            .put("height", height)
            .put("deviceScaleFactor", 1)
            .put("mobile", false));
  }

  /** Emulates a reader whose system prefers the dark colour scheme. */
  void preferDark() {
    call(
        "Emulation.setEmulatedMedia",
        Chromium.obj()
            .set(
                "features",
                Chromium.obj()
                    .arrayNode()
                    .add(Chromium.obj().put("name", "prefers-color-scheme").put("value", "dark"))));
  }

  /** Loads {@code file} and waits for its load event; events before are forgotten. */
  void load(Path file) throws InterruptedException {
    // the page being left is marked, so a load event of its own that arrives late is not taken
    // for the new page's (seen on a loaded machine: the test then measured the old page)
    eval("window.deltascopeLeaving = true");
    mark = browser.events(session).size();
    call("Page.navigate", Chromium.obj().put("url", file.toUri().toString()));
    browser.await(session, "Page.loadEventFired", mark);
    waitFor("document.readyState === 'complete' && !window.deltascopeLeaving");
  }

  /**
   * Waits until a JavaScript condition holds (what an input's handlers do is not done when the
   * input event is sent); fails naming it after {@link Chromium#TIMEOUT}.
   */
  void waitFor(String condition) throws InterruptedException {
    long deadline = System.nanoTime() + Chromium.TIMEOUT.toNanos();
    while (!eval("!!(" + condition + ")").asBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not true within " + Chromium.TIMEOUT + ": " + condition);
      }
      Thread.sleep(20);
    }
  }

  /** The value of a JavaScript expression (JSON-serialisable); a thrown error fails the test. */
  JsonNode eval(String expression) {
    JsonNode r =
        call(
            "Runtime.evaluate",
            Chromium.obj().put("expression", expression).put("returnByValue", true));
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException(expression + " threw " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** The centre of the first element matching {@code selector}, scrolled into view. */
  double[] centre(String selector) {
    JsonNode r =
        eval(
            "(() => { const e = document.querySelector("
                + quote(selector)
                + "); e.scrollIntoView({block: 'center', inline: 'center'});"
                + " const b = e.getBoundingClientRect();"
                + " return [b.left + b.width / 2, b.top + b.height / 2]; })()");
    return new double[] {r.get(0).asDouble(), r.get(1).asDouble()};
  }

  void hover(String selector) {
    double[] c = centre(selector);
    mouse("mouseMoved", c[0], c[1]);
  }

  void click(String selector) {
    double[] c = centre(selector);
    mouse("mouseMoved", c[0], c[1]);
    mouse("mousePressed", c[0], c[1]);
    mouse("mouseReleased", c[0], c[1]);
  }

  private void mouse(String type, double x, double y) {
    ObjectNode p = Chromium.obj().put("type", type).put("x", x).put("y", y);
    if (!type.equals("mouseMoved")) {
      p.put("button", "left").put("clickCount", 1);
    }
    call("Input.dispatchMouseEvent", p);
  }

  /** A PNG of the element matching {@code selector} (whole, beyond the viewport if need be). */
  void screenshot(String selector, Path png) throws IOException {
    JsonNode b =
        eval(
            "(() => { const b = document.querySelector("
                + quote(selector)
                + ").getBoundingClientRect(); return [b.left + window.scrollX,"
                + " b.top + window.scrollY, b.width, b.height]; })()");
    ObjectNode clip =
        Chromium.obj()
            .put("x", b.get(0).asDouble())
            .put("y", b.get(1).asDouble())
            .put("width", Math.max(1, b.get(2).asDouble()))
            .put("height", Math.max(1, b.get(3).asDouble()))
            .put("scale", 1);
    ObjectNode params = Chromium.obj().put("format", "png").put("captureBeyondViewport", true);
    params.set("clip", clip);
    String data = call("Page.captureScreenshot", params).get("data").asText();
    Files.createDirectories(png.getParent());
    Files.write(png, Base64.getDecoder().decode(data));
  }

  /** URLs the page requested since the last load. */
  List<String> requests() {
    List<String> urls = new ArrayList<>();
    for (JsonNode e : since()) {
      if (e.path("method").asText().equals("Network.requestWillBeSent")) {
        urls.add(e.path("params").path("request").path("url").asText());
      }
    }
    return urls;
  }

  /** Errors and warnings the page reported since the last load: console, log and exceptions. */
  List<String> problems() {
    List<String> out = new ArrayList<>();
    for (JsonNode e : since()) {
      JsonNode p = e.path("params");
      switch (e.path("method").asText()) {
        case "Runtime.exceptionThrown" -> out.add("exception: " + p.path("exceptionDetails"));
        case "Runtime.consoleAPICalled" -> {
          String type = p.path("type").asText();
          if (type.equals("error") || type.equals("warning") || type.equals("assert")) {
            out.add("console." + type + ": " + p.path("args"));
          }
        }
        case "Log.entryAdded" -> {
          String level = p.path("entry").path("level").asText();
          if (level.equals("error") || level.equals("warning")) {
            out.add("log " + level + ": " + p.path("entry").path("text").asText());
          }
        }
        default -> {}
      }
    }
    return out;
  }

  private List<JsonNode> since() {
    List<JsonNode> all = browser.events(session);
    return all.subList(Math.min(mark, all.size()), all.size());
  }

  static String quote(String s) {
    return Chromium.JSON.valueToTree(s).toString();
  }

  String target() {
    return target;
  }
}
