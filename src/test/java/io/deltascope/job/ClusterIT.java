package io.deltascope.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deltascope on a real Spark standalone cluster, submitted the way a platform team submits it:
 * {@code submit/deltascope-submit --master spark://... -- batch ...} with the shaded cluster jar. A
 * Master and a Worker run in their own JVMs, started from the project's class path; the Worker
 * launches executors in further JVMs through SPARK_HOME, which the test builds as a throwaway Spark
 * home of links (jars/, and a bin/spark-submit that runs SparkSubmit, as Spark's does). The results
 * store is a folder the driver and executors share. Over a minute on two cores: keep this the only
 * cluster test.
 */
class ClusterIT {
  @TempDir Path dir;
  private final List<Process> daemons = new ArrayList<>();

  @Test
  void aBatchSubmittedToAStandaloneClusterComputesTheOraclesNumbers() throws Exception {
    Path sparkHome = SparkHome.build(dir.resolve("spark-home"), ClasspathFiles.runtime());
    int port = freePort();
    String master = "spark://127.0.0.1:" + port;
    daemons.add(
        daemon(
            sparkHome,
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(port),
            "--webui-port",
            String.valueOf(freePort())));
    daemons.add(
        daemon(
            sparkHome,
            "worker",
            "org.apache.spark.deploy.worker.Worker",
            "--host",
            "127.0.0.1",
            "--cores",
            "2",
            "--memory",
            "2g",
            "--webui-port",
            String.valueOf(freePort()),
            master));

    Path pairs =
        Files.writeString(
            dir.resolve("pairs.csv"),
            "qwen,"
                + Fixtures.model("qwen2-base")
                + ","
                + Fixtures.model("qwen2-sft")
                + "\n"
                + "sft,"
                + Fixtures.model("llama-base")
                + ","
                + Fixtures.model("llama-sft")
                + "\n");
    Path store = dir.resolve("shared-results");
    Path log = dir.resolve("submit.log");
    ProcessBuilder submit =
        new ProcessBuilder(
                ClasspathFiles.project().resolve("submit/deltascope-submit").toString(),
                "--master",
                master,
                "--executor-memory",
                "1g",
                "--total-executor-cores",
                "2",
                "--",
                "batch",
                "--pairs",
                pairs.toString(),
                "--results",
                store.toString(),
                "--run-id",
                "cluster")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    environment(submit.environment(), sparkHome);
    Process process = submit.start();
    boolean finished = process.waitFor(6, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(finished).as("finished in 6 minutes:\n%s", output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("deltascope-submit: using " + sparkHome.resolve("bin/spark-submit"));

    JsonNode oracle = Fixtures.pairOracle("qwen2-base", "qwen2-sft").get("tensors");
    List<Row> rows =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("tensor_metrics")
            .where("run_id = 'cluster-qwen' AND status = 'compared'")
            .select("name", "relative_delta", "max_abs_diff")
            .collectAsList();
    assertThat(rows).hasSize(oracle.size());
    for (Row row : rows) {
      JsonNode expected = oracle.get(row.getString(0));
      double want = expected.get("relative_delta").asDouble();
      assertThat(row.getDouble(1)).as(row.getString(0)).isCloseTo(want, within(1e-9 * want));
      assertThat(row.getDouble(2)).isEqualTo(expected.get("max_abs_diff").asDouble());
    }
    assertThat(
            new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
                .table("runs")
                .count())
        .isEqualTo(2);
  }

  @AfterEach
  void stopDaemons() {
    daemons.forEach(Process::destroy);
  }

  private Process daemon(Path sparkHome, String name, String mainClass, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(sparkHome.resolve("jars") + File.separator + "*");
    command.add(mainClass);
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile());
    environment(builder.environment(), sparkHome);
    return builder.start();
  }

  private static void environment(Map<String, String> env, Path sparkHome) {
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A Spark home of links to the project's run-time jars, with a bin/spark-submit. */
  static final class SparkHome {
    private SparkHome() {}

    static Path build(Path home, List<Path> jars) throws IOException {
      Path lib = Files.createDirectories(home.resolve("jars"));
      Files.writeString(home.resolve("RELEASE"), "Spark (throwaway home for deltascope's tests)\n");
      for (Path jar : jars) {
        Path link = lib.resolve(jar.getFileName());
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, jar);
        }
      }
      Path bin = Files.createDirectories(home.resolve("bin"));
      Path submit = bin.resolve("spark-submit");
      Files.writeString(
          submit,
          "#!/usr/bin/env bash\n"
              + "# what Spark's bin/spark-submit runs, without its launcher scripts\n"
              + "exec \"$JAVA_HOME/bin/java\" -Xmx1g -cp \"$SPARK_HOME/jars/*\""
              + " org.apache.spark.deploy.SparkSubmit \"$@\"\n");
      Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
      return home;
    }
  }

  /** The class path files Maven writes for an embedded run. */
  static final class ClasspathFiles {
    private ClasspathFiles() {}

    static Path project() {
      return Path.of(System.getProperty("deltascope.project.dir", ".")).toAbsolutePath();
    }

    /** Spark and the libraries, not deltascope itself: the cluster jar brings that. */
    static List<Path> runtime() throws IOException {
      List<Path> jars = new ArrayList<>();
      String files = System.getProperty("deltascope.test.classpath.files");
      if (files == null) {
        throw new IllegalStateException("run through Maven: it writes target/classpath-*.txt");
      }
      for (String file : files.split(",")) {
        for (String entry : Files.readString(Path.of(file)).strip().split(File.pathSeparator)) {
          if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
            jars.add(Path.of(entry));
          }
        }
      }
      return jars;
    }
  }
}
