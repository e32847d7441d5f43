package io.deltascope.job;

import io.deltascope.checkpoint.HadoopFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;

/**
 * Starts or joins the SparkSession a command runs in. Under {@code spark-submit} the submitted
 * master and configuration win; run directly, deltascope embeds a local Spark ({@code local[*]})
 * bound to loopback and reads {@code $DELTASCOPE_CONF_DIR/spark-defaults.conf} the way spark-submit
 * would read it.
 */
public final class SparkSessions {
  public static final String LOCAL_MASTER = "local[*]";

  private SparkSessions() {}

  /**
   * @param master the master to use, or null for the submitted one (else {@value #LOCAL_MASTER})
   */
  public static SparkSession start(String master, String appName) {
    return start(master, appName, Map.of());
  }

  /**
   * @param master the master to use, or null for the submitted one (else {@value #LOCAL_MASTER})
   * @param settings Spark settings given on the command line ({@code --conf}), applied last
   */
  public static SparkSession start(String master, String appName, Map<String, String> settings) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    boolean submitted = System.getProperty("spark.master") != null;
    if (!submitted) {
      defaults().forEach((k, v) -> builder.config((String) k, (String) v));
      builder.config("spark.ui.enabled", "false");
      if (System.getenv("SPARK_LOCAL_IP") == null
          && System.getProperty("spark.driver.host") == null) {
        // hostnames here may resolve to an unreachable interface; an embedded run needs none
        builder.config("spark.driver.host", "127.0.0.1");
        builder.config("spark.driver.bindAddress", "127.0.0.1");
      }
    }
    if (master != null) {
      builder.master(master);
    } else if (!submitted) {
      builder.master(LOCAL_MASTER);
    }
    settings.forEach(builder::config);
    // Partition values such as run ids stay strings: never guess "20261123" is a number.
    builder.config("spark.sql.sources.partitionColumnTypeInference.enabled", "false");
    SparkSession spark = builder.getOrCreate();
    // A session that already existed ignores the builder's spark.hadoop.* settings: apply them.
    settings.forEach(
        (key, value) -> {
          if (key.startsWith("spark.hadoop.")) {
            spark
                .sparkContext()
                .hadoopConfiguration()
                .set(key.substring("spark.hadoop.".length()), value);
          }
        });
    // the Hub's endpoint and token travel to executors with the other file system settings
    io.deltascope.checkpoint.hub.HubSettings.fromEnvironment(
            io.deltascope.checkpoint.Environment.get())
        .applyTo(spark.sparkContext().hadoopConfiguration());
    // the driver reads checkpoint headers with the session's file system settings
    HadoopFiles.use(spark.sparkContext().hadoopConfiguration());
    return spark;
  }

  private static Properties defaults() {
    Properties properties = new Properties();
    String dir = System.getenv("DELTASCOPE_CONF_DIR");
    if (dir == null) {
      return properties;
    }
    Path file = Path.of(dir, "spark-defaults.conf");
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        properties.load(in); // the same whitespace-separated key value format
      } catch (IOException e) {
        throw new IllegalStateException(file + ": cannot read: " + e.getMessage(), e);
      }
    }
    return properties;
  }
}
