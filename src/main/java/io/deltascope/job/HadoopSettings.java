package io.deltascope.job;

import io.deltascope.checkpoint.HadoopFiles;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The driver's file system settings (endpoints, credentials, HA name services), carried to
 * executors with the work when it reads remote files: an executor's own Hadoop configuration knows
 * nothing of {@code spark.hadoop.*} or {@code --conf} settings given to the driver.
 */
public final class HadoopSettings implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final List<String> PREFIXES = List.of("fs.", "dfs.", "hadoop.", "ipc.");

  private final Map<String, String> settings;

  private HadoopSettings(Map<String, String> settings) {
    this.settings = settings;
  }

  /** The settings when any of {@code files} is remote; null when all are local. */
  public static HadoopSettings forFiles(SparkSession spark, List<String> files) {
    if (files.stream().noneMatch(HadoopFiles::isRemote)) {
      return null;
    }
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Map<String, String> settings = new TreeMap<>();
    for (Map.Entry<String, String> e : conf) {
      if (PREFIXES.stream().anyMatch(e.getKey()::startsWith)) {
        settings.put(e.getKey(), e.getValue());
      }
    }
    return new HadoopSettings(settings);
  }

  /** Makes these settings the ones remote reads use in this JVM. */
  public void apply() {
    HadoopFiles.use(settings);
  }

  @Override
  public String toString() {
    return "HadoopSettings(" + settings.size() + " settings)"; // never the values: credentials
  }
}
