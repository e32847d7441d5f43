package io.deltascope.job;

import io.deltascope.checkpoint.Environment;
import io.deltascope.checkpoint.HadoopFiles;
import io.deltascope.checkpoint.Redaction;
import io.deltascope.checkpoint.hub.HubSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.internal.config.ConfigEntry;
import org.apache.spark.internal.config.package$;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Starts or joins the SparkSession a command runs in. Under {@code spark-submit} the submitted
 * master and configuration win; run directly, deltascope embeds a local Spark ({@code local[*]})
 * bound to loopback and reads {@code $DELTASCOPE_CONF_DIR/spark-defaults.conf} the way spark-submit
 * would read it.
 */
public final class SparkSessions {
  public static final String LOCAL_MASTER = "local[*]";
  static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  static final String DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";
  static final String PARQUET_TIMESTAMP_TYPE = "spark.sql.parquet.outputTimestampType";

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
    boolean submitted = submitted();
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
    // The results store's tables are Delta tables: its SQL (time travel, MERGE) and its catalog.
    builder.config("spark.sql.extensions", DELTA_EXTENSION);
    builder.config("spark.sql.catalog.spark_catalog", DELTA_CATALOG);
    // S3 has no atomic put-if-absent for s3a here: Delta's log store for S3 is safe for one
    // writing driver at a time (see README, "The results store on S3")
    builder.config("spark.delta.logStore.s3a.impl", "io.delta.storage.S3SingleDriverLogStore");
    // a store's logs are small: their state in a few tasks rather than Delta's 50
    builder.config("spark.databricks.delta.snapshotPartitions", "4");
    // timestamps as Parquet TIMESTAMP (UTC, microseconds), not the legacy INT96 other readers
    // (pandas, DuckDB) take for a time without a zone
    builder.config(PARQUET_TIMESTAMP_TYPE, "TIMESTAMP_MICROS");
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
    HubSettings.fromEnvironment(Environment.get())
        .applyTo(spark.sparkContext().hadoopConfiguration());
    // the driver reads checkpoint headers with the session's file system settings
    HadoopFiles.use(spark.sparkContext().hadoopConfiguration());
    return spark;
  }

  /**
   * The Hadoop configuration a session started with {@code settings} would have (the submitted or
   * default Spark settings, then these, through Spark's own translation), built without starting
   * Spark: what output locations are checked with before any work.
   */
  public static Configuration hadoopConfiguration(Map<String, String> settings) {
    Configuration hadoop = SparkHadoopUtil.get().newConfiguration(sparkConf(settings));
    HubSettings.fromEnvironment(Environment.get()).applyTo(hadoop);
    return hadoop;
  }

  /**
   * What a session started with {@code settings} must never show: Spark's redaction pattern as it
   * would be set ({@code spark.redaction.regex}, else Spark's default), the values of the settings
   * it matches, and the Hub token.
   */
  public static Redaction redaction(Map<String, String> settings) {
    SparkConf conf = sparkConf(settings);
    ConfigEntry<?> regex = package$.MODULE$.SECRET_REDACTION_PATTERN();
    Redaction redaction =
        new Redaction(Pattern.compile(conf.get(regex.key(), regex.defaultValueString())), Set.of());
    List<String> secrets = new ArrayList<>();
    for (Tuple2<String, String> setting : conf.getAll()) {
      if (redaction.isSecret(setting._1(), setting._2())) {
        secrets.add(setting._2());
      }
    }
    secrets.add(HubSettings.fromEnvironment(Environment.get()).token());
    return redaction.with(secrets);
  }

  /** The Spark settings of a session started with {@code settings}, without starting it. */
  private static SparkConf sparkConf(Map<String, String> settings) {
    SparkConf conf = new SparkConf(); // the spark.* system properties: what spark-submit passes
    if (!submitted()) {
      defaults().forEach((k, v) -> conf.set((String) k, (String) v));
    }
    settings.forEach(conf::set);
    return conf;
  }

  private static boolean submitted() {
    return System.getProperty("spark.master") != null;
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
