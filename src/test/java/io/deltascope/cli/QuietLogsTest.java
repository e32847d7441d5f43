package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.Test;

/**
 * conf/log4j2.properties keeps lines that would interleave with the report and the progress off the
 * terminal: Spark's plan-truncation warning and the BLAS line, while the job's own progress and a
 * slow BLAS fallback still show.
 */
class QuietLogsTest {
  @Test
  void thePlanTruncationWarningAndTheBlasInfoLineAreOffWhileProgressStays() {
    String project = System.getProperty("deltascope.project.dir", ".");
    // a context of its own, never the tests' global one
    LoggerContext context =
        new LoggerContext(
            "deltascope-conf", null, Path.of(project, "conf", "log4j2.properties").toUri());
    context.start();
    try {
      assertThat(
              context
                  .getLogger("org.apache.spark.sql.catalyst.util.StringUtils$PlanStringConcat")
                  .isWarnEnabled())
          .isFalse();
      assertThat(context.getLogger("org.apache.spark.util.SparkStringUtils").isWarnEnabled())
          .isFalse();
      assertThat(context.getLogger("io.deltascope.tensor.LinearAlgebra").isInfoEnabled()).isFalse();
      assertThat(context.getLogger("io.deltascope.tensor.LinearAlgebra").isWarnEnabled()).isTrue();
      assertThat(context.getLogger("io.deltascope.job.Progress").isInfoEnabled()).isTrue();
    } finally {
      context.stop();
    }
  }
}
