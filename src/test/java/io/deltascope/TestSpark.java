package io.deltascope;

import io.deltascope.job.SparkSessions;
import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession the test JVM shares (surefire runs every test class in one JVM): two
 * cores, bound to loopback, UI off. Starting Spark costs seconds; starting it once keeps the suite
 * fast.
 */
public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (session == null || session.sparkContext().isStopped()) {
      System.setProperty("spark.driver.host", "127.0.0.1");
      session = SparkSessions.start("local[2]", "deltascope-tests");
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }
}
