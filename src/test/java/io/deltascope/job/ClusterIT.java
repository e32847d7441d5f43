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
 * cluster test. In the middle of the batch the test kills the executor JVM (kill -9, once its log
 * says a task runs): the job must complete through Spark's retries on a new executor, with every
 * pair's results whole and no row twice. Then one forward-pass job (activation-diff) runs on the
 * same cluster.
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
    Process process =
        submit(
            master,
            sparkHome,
            log,
            List.of(),
            "batch",
            "--pairs",
            pairs.toString(),
            "--results",
            store.toString(),
            "--run-id",
            "cluster");
    ExecutorKiller killer = new ExecutorKiller(sparkHome.resolve("work"), daemons.get(1));
    killer.start();
    boolean finished = process.waitFor(6, TimeUnit.MINUTES);
    killer.interrupt();
    killer.join();
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(finished).as("finished in 6 minutes:\n%s", output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("deltascope-submit: using " + sparkHome.resolve("bin/spark-submit"));
    assertThat(killer.killed).as("an executor was killed in the middle of the batch").isPositive();

    JsonNode oracle = Fixtures.pairOracle("qwen2-base", "qwen2-sft").get("tensors");
    List<Row> rows =
        new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
            .table("tensor_metrics")
            .where("run_id = 'cluster-qwen' AND status = 'compared'")
            .select("tensor", "relative_delta", "max_abs_diff")
            .collectAsList();
    assertThat(rows).hasSize(oracle.size());
    for (Row row : rows) {
      JsonNode expected = oracle.get(row.getString(0));
      double want = expected.get("relative_delta").asDouble();
      assertThat(row.getDouble(1)).as(row.getString(0)).isCloseTo(want, within(1e-9 * want));
      assertThat(row.getDouble(2)).isEqualTo(expected.get("max_abs_diff").asDouble());
    }
    var stored = new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString());
    assertThat(stored.table("runs").count()).isEqualTo(2);
    // whole and duplicate-free after the retries
    var metrics = stored.table("tensor_metrics");
    for (String run : List.of("cluster-qwen", "cluster-sft")) {
      var ofRun = metrics.where("run_id = '" + run + "'");
      assertThat(ofRun.count()).as(run).isEqualTo(ofRun.select("tensor").distinct().count());
    }
    assertThat(metrics.where("run_id = 'cluster-sft'").count()).isEqualTo(39);

    activationDiffOnTheCluster(master, sparkHome);
  }

  private void activationDiffOnTheCluster(String master, Path sparkHome) throws Exception {
    Path json = dir.resolve("activations.json");
    Path log = dir.resolve("activation-diff.log");
    Path djlCache = ClasspathFiles.project().resolve("target/djl-cache");
    String djl = "-Dai.djl.offline=true -DDJL_CACHE_DIR=" + djlCache;
    Process process =
        submit(
            master,
            sparkHome,
            log,
            List.of(
                "--conf",
                "spark.executor.extraJavaOptions=" + djl + " -Dai.djl.pytorch.num_threads=1"),
            "activation-diff",
            "-b",
            Fixtures.model("llama-base").toString(),
            "-f",
            Fixtures.model("llama-sft").toString(),
            "-p",
            "The answer is",
            "-o",
            json.toString());
    boolean finished = process.waitFor(5, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(finished).as("activation-diff finished in 5 minutes:\n%s", output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    JsonNode layers = Fixtures.json(json).get("layers");
    JsonNode oracle =
        Fixtures.pairOracle("llama-base", "llama-sft")
            .get("activation")
            .get("per_prompt")
            .get(0)
            .get("cosine_last_token_by_layer");
    assertThat(layers).hasSize(oracle.size());
    for (int l = 0; l < oracle.size(); l++) {
      // the oracle's hidden_states[l] is deltascope's layer l - 1 (the embeddings are -1)
      assertThat(layers.get(l).get("layer").asInt()).isEqualTo(l - 1);
      assertThat(layers.get(l).get("cosine_last_token").asDouble())
          .as("layer %d", l)
          .isCloseTo(oracle.get(l).asDouble(), within(1e-4));
    }
  }

  /**
   * Kills the Worker's executor JVM (kill -9) once its log says a task runs: a machine lost in the
   * middle of a job, as Spark's retries must survive it.
   */
  private static final class ExecutorKiller extends Thread {
    private final Path work;
    private final Process worker;
    private volatile int killed;

    ExecutorKiller(Path work, Process worker) {
      this.work = work;
      this.worker = worker;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        while (killed == 0 && !isInterrupted()) {
          if (aTaskRuns()) {
            worker
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("ExecutorBackend"))
                .forEach(
                    p -> {
                      p.destroyForcibly();
                      killed++;
                    });
          }
          Thread.sleep(100);
        }
      } catch (InterruptedException | IOException e) {
        // the batch ended first: the assertion on killed says so
      }
    }

    private boolean aTaskRuns() throws IOException {
      if (!Files.isDirectory(work)) {
        return false;
      }
      try (var logs = Files.walk(work, 3)) {
        for (Path log : logs.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
          try {
            if (Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("Running task")) {
              return true;
            }
          } catch (IOException e) {
            // a log being rotated or written: look again on the next round
          }
        }
      }
      return false;
    }
  }

  /** submit/deltascope-submit to {@code master} with two cores of 1g, output to {@code log}. */
  private static Process submit(
      String master, Path sparkHome, Path log, List<String> sparkArgs, String... command)
      throws IOException {
    List<String> line = new ArrayList<>();
    line.add(ClasspathFiles.project().resolve("submit/deltascope-submit").toString());
    line.addAll(
        List.of("--master", master, "--executor-memory", "1g", "--total-executor-cores", "2"));
    line.addAll(sparkArgs);
    line.add("--");
    line.addAll(List.of(command));
    ProcessBuilder builder =
        new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile());
    environment(builder.environment(), sparkHome);
    return builder.start();
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
