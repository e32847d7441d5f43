package io.deltascope;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For a test class of few-row stores ({@code @ExtendWith}): its joins, MERGEs and Delta's vacuum
 * run in 2 shuffle tasks rather than Spark's 200, which cost seconds each on 2 cores; the next
 * class in the shared session gets Spark's default back.
 */
public final class FewShufflePartitions implements BeforeAllCallback, AfterAllCallback {
  private static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";

  @Override
  public void beforeAll(ExtensionContext context) {
    TestSpark.session().conf().set(SHUFFLE_PARTITIONS, "2");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestSpark.session().conf().unset(SHUFFLE_PARTITIONS);
  }
}
