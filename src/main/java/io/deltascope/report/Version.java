package io.deltascope.report;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** deltascope's version, as Maven wrote it into the jar. */
public final class Version {
  private Version() {}

  private static final String VERSION = load();

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/io/deltascope/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String v = p.getProperty("version", "dev");
      return v.startsWith("${") ? "dev" : v;
    } catch (IOException e) {
      return "dev";
    }
  }
}
