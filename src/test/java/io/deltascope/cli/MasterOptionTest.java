package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** An unreachable or malformed --master is one line naming it, before Spark starts. */
class MasterOptionTest {
  private static final String BASE = Fixtures.model("llama-base").toString();
  private static final String SFT = Fixtures.model("llama-sft").toString();

  @Test
  void aMalformedMasterIsAUsageError() {
    CliRun run = CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--master", "spark:/nowhere");
    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.errorLine())
        .isEqualTo(
            "deltascope: error: --master 'spark:/nowhere' is not a Spark master URL (local[*],"
                + " local[N], spark://HOST:PORT, yarn, k8s://...)");
    assertThat(run.err().lines()).hasSize(2);
  }

  @Test
  void aStandaloneMasterNobodyAnswersAtIsNamed() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    String master = "spark://127.0.0.1:" + port;
    CliRun run = CliRun.of("weight-diff", "-b", BASE, "-f", SFT, "--master", master);
    assertThat(run.exitCode()).isEqualTo(Main.FAILED);
    assertThat(run.errorLine())
        .startsWith(
            "deltascope: error: --master "
                + master
                + ": no Spark master answers: 127.0.0.1:"
                + port
                + ": Connection refused");
    assertThat(run.err().lines()).hasSize(2);
  }
}
