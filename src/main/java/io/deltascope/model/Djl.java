package io.deltascope.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;

/**
 * DJL set up for deltascope: PyTorch's CPU natives come from the Maven jar on the classpath (never
 * downloaded), extracted once into a cache folder; one intra-op thread per core this JVM owns.
 * Everything here is a default: a system property or environment variable set by the caller wins.
 */
public final class Djl {
  /** System property: the cores the forward pass may use (default: all the JVM sees). */
  public static final String THREADS = "deltascope.threads";

  private static boolean configured;

  private Djl() {}

  /** Sets DJL's properties once, before the engine starts. */
  public static synchronized void configure() {
    if (configured) {
      return;
    }
    if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null) {
      String tmp = System.getProperty("java.io.tmpdir");
      String user = System.getProperty("user.name", "user");
      System.setProperty(
          "DJL_CACHE_DIR", Path.of(tmp, "deltascope-djl-" + user).toAbsolutePath().toString());
    }
    setIfAbsent("ai.djl.offline", "true");
    int threads = Integer.getInteger(THREADS, Runtime.getRuntime().availableProcessors());
    setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(threads));
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    // the engine's own graph optimizer and profiler are of no use to eager inference
    setIfAbsent("ai.djl.pytorch.graph_optimizer", "false");
    configured = true;
  }

  /** The threads the forward pass uses (PyTorch's intra-op threads, Java's parallel decoding). */
  public static int threads() {
    configure();
    return Integer.getInteger(
        "ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
  }

  /** A root manager on the CPU, for one model's resident weights or one job's arrays. */
  public static NDManager newManager() {
    configure();
    return NDManager.newBaseManager(Device.cpu(), "PyTorch");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
