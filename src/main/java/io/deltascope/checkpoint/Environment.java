package io.deltascope.checkpoint;

import java.util.Map;

/**
 * The environment variables deltascope reads (HF_HOME, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE ...):
 * the process's, unless an embedding program (or a test running the CLI in-process) sets others.
 */
public final class Environment {
  private static volatile Map<String, String> override;

  private Environment() {}

  public static Map<String, String> get() {
    Map<String, String> o = override;
    return o != null ? o : System.getenv();
  }

  /** Uses {@code env} instead of the process's environment; null goes back to it. */
  public static void set(Map<String, String> env) {
    override = env == null ? null : Map.copyOf(env);
  }
}
