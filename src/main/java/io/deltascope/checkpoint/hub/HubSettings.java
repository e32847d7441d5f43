package io.deltascope.checkpoint.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Where the Hub is and who asks: the endpoint ({@code HF_ENDPOINT}, default the public Hub), the
 * token ({@code HF_TOKEN}, else the file {@code huggingface-cli login} writes under {@code
 * HF_HOME}) and whether the network is forbidden ({@code HF_HUB_OFFLINE=1}). They travel to
 * executors as the Hadoop settings {@code fs.hf.endpoint} and {@code fs.hf.token}, with the other
 * file system settings. The token is never printed: {@link #toString} leaves it out.
 *
 * @param endpoint the Hub's base URL, without a trailing slash
 * @param token the bearer token, or null
 * @param offline whether the network is forbidden
 */
public record HubSettings(String endpoint, String token, boolean offline) {
  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
  static final String ENDPOINT_KEY = "fs.hf.endpoint";
  static final String TOKEN_KEY = "fs.hf.token";

  public static HubSettings fromEnvironment(Map<String, String> env) {
    String endpoint = env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT);
    String token = env.get("HF_TOKEN");
    if (token == null || token.isBlank()) {
      token = tokenFile(env);
    }
    String offline = env.getOrDefault("HF_HUB_OFFLINE", "0");
    return new HubSettings(
        endpoint.replaceAll("/+$", ""),
        token == null || token.isBlank() ? null : token.strip(),
        offline.equals("1") || offline.equalsIgnoreCase("true"));
  }

  /** The settings a {@link HubFileSystem} uses: the configuration's, else the environment's. */
  static HubSettings of(Configuration conf) {
    HubSettings env = fromEnvironment(io.deltascope.checkpoint.Environment.get());
    String endpoint = conf.get(ENDPOINT_KEY, env.endpoint());
    String token = conf.get(TOKEN_KEY, env.token());
    return new HubSettings(endpoint, token, env.offline());
  }

  /** Puts the endpoint and token into {@code conf}, for the executors. */
  public void applyTo(Configuration conf) {
    conf.set(ENDPOINT_KEY, endpoint);
    if (token != null) {
      conf.set(TOKEN_KEY, token);
    } else {
      conf.unset(TOKEN_KEY);
    }
  }

  private static String tokenFile(Map<String, String> env) {
    Path file =
        env.get("HF_TOKEN_PATH") != null
            ? Path.of(env.get("HF_TOKEN_PATH"))
            : env.get("HF_HOME") != null
                ? Path.of(env.get("HF_HOME"), "token")
                : Path.of(System.getProperty("user.home"), ".cache", "huggingface", "token");
    try {
      return Files.isRegularFile(file) ? Files.readString(file) : null;
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "HubSettings(" + endpoint + (token == null ? ", no token" : ", a token") + ")";
  }
}
