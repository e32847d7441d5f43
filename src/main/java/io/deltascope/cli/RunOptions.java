package io.deltascope.cli;

import picocli.CommandLine.Option;

/** Options every Spark command shares. */
final class RunOptions {
  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (default: the submitted one, else local[*]).")
  String master;

  @Option(names = "--verbose", description = "Show stack traces of errors.")
  boolean verbose;

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description =
          "A Spark setting for the embedded run (repeatable), e.g."
              + " spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:9000.")
  java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();

  org.apache.spark.sql.SparkSession startSpark(String appName) {
    if (master != null) {
      MasterUrl.check(master);
    }
    return io.deltascope.job.SparkSessions.start(master, appName, conf);
  }

  /** The file system settings this run's Spark session will have, without starting it. */
  org.apache.hadoop.conf.Configuration hadoopConfiguration() {
    return io.deltascope.job.SparkSessions.hadoopConfiguration(conf);
  }
}
