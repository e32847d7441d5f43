package io.deltascope.report.html;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * A headless Chromium with a fresh profile under a test's output folder, and a tab per test: what a
 * browser test class holds, closed and cleaned up after its tests.
 */
final class BrowserSession implements AutoCloseable {
  private final Chromium chromium;
  private final Path profile;

  private BrowserSession(Chromium chromium, Path profile) {
    this.chromium = chromium;
    this.profile = profile;
  }

  /** Starts the browser (fails, saying to run submit/test, when it is not installed). */
  static BrowserSession start(Path out) throws Exception {
    Files.createDirectories(out);
    Path profile = Files.createTempDirectory(out, "chromium-profile-");
    return new BrowserSession(Chromium.start(profile), profile);
  }

  Page open(int width, int height) {
    return chromium.open(width, height);
  }

  void close(Page page) {
    chromium.call(null, "Target.closeTarget", Chromium.obj().put("targetId", page.target()));
  }

  @Override
  public void close() throws IOException {
    chromium.close();
    try (var files = Files.walk(profile)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
