package io.deltascope.cli;

import io.deltascope.checkpoint.Redaction;
import io.deltascope.job.SparkSessions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The redaction of one command line: its {@code --conf} settings (either spelling) over the Spark
 * settings it runs with, read from the words themselves, so that a line picocli cannot parse is
 * redacted as well as one it runs.
 */
final class Secrets {
  private static final String CONF = "--conf";

  private Secrets() {}

  static Redaction of(String... args) {
    Map<String, String> settings = settings(args);
    try {
      return SparkSessions.redaction(settings);
    } catch (RuntimeException e) {
      // an unreadable spark-defaults.conf or a malformed spark.redaction.regex fails the command
      // when its Spark settings are read; until then every value given is kept back
      return Redaction.sparkDefault().with(settings.values());
    }
  }

  /** The {@code --conf KEY=VALUE} and {@code --conf=KEY=VALUE} settings among {@code args}. */
  static Map<String, String> settings(String... args) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(CONF) && i + 1 < args.length) {
        put(args[++i], settings);
      } else if (args[i].startsWith(CONF + "=")) {
        put(args[i].substring(CONF.length() + 1), settings);
      }
    }
    return settings;
  }

  private static void put(String setting, Map<String, String> settings) {
    int equals = setting.indexOf('=');
    if (equals > 0) {
      settings.put(setting.substring(0, equals), setting.substring(equals + 1));
    }
  }
}
