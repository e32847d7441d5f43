package io.deltascope.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltascope.Fixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * weight-diff on a real Spark cluster with separate executor JVMs ({@code local-cluster[2,1,1024]}:
 * a Master and two Workers, each launching its own executor process), run as a user runs it: the
 * command line in a fresh JVM. Executors find their classes the way a Spark installation provides
 * them, through SPARK_HOME/jars, so the test builds a throwaway Spark home of links to the
 * project's own class path. It costs over a minute on two cores: keep it the only one.
 */
class ClusterTest {
  @TempDir Path dir;

  @Test
  void executorsInSeparateJvmsComputeTheOraclesNumbers() throws Exception {
    Path sparkHome = sparkHome(dir.resolve("spark-home"));
    Path out = dir.resolve("out.json");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-Dlog4j.configurationFile=" + projectDir().resolve("conf/log4j2.properties"),
            "-cp",
            classesDir() + java.io.File.pathSeparator + runtimeClasspath(),
            "io.deltascope.cli.Main",
            "weight-diff",
            "-b",
            Fixtures.model("qwen2-base").toString(),
            "-f",
            Fixtures.model("qwen2-sft").toString(),
            "-o",
            out.toString(),
            "--master",
            "local-cluster[2,1,1024]");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(dir.resolve("log.txt").toFile());
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    boolean finished = process.waitFor(5, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String log = Files.readString(dir.resolve("log.txt"));
    assertThat(finished).as("finished in 5 minutes; log:\n%s", log).isTrue();
    assertThat(process.exitValue()).as(log).isZero();

    JsonNode oracle = Fixtures.pairOracle("qwen2-base", "qwen2-sft").get("tensors");
    JsonNode tensors = Fixtures.json(out).get("tensors");
    assertThat(tensors).hasSize(oracle.size());
    for (JsonNode t : tensors) {
      JsonNode expected = oracle.get(t.get("name").asText());
      double want = expected.get("relative_delta").asDouble();
      assertThat(t.get("relative_delta").asDouble())
          .as(t.get("name").asText())
          .isCloseTo(want, org.assertj.core.api.Assertions.within(1e-9 * want));
      assertThat(t.get("max_abs_diff").asDouble())
          .isEqualTo(expected.get("max_abs_diff").asDouble());
    }
  }

  /** SPARK_HOME with a RELEASE file and jars/ linking every runtime jar, plus ours. */
  private static Path sparkHome(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    Files.writeString(home.resolve("RELEASE"), "Spark (throwaway home for deltascope's tests)\n");
    for (String entry : runtimeClasspath().split(java.io.File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(jar)) {
        Path link = jars.resolve(jar.getFileName());
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, jar);
        }
      }
    }
    jarOf(classesDir(), jars.resolve("deltascope-under-test.jar"));
    return home;
  }

  private static void jarOf(Path classes, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> paths = Files.walk(classes)) {
      List<Path> files = new ArrayList<>(paths.filter(Files::isRegularFile).toList());
      for (Path p : files) {
        out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        Files.copy(p, out);
        out.closeEntry();
      }
    }
  }

  private static Path projectDir() {
    return Path.of(System.getProperty("deltascope.project.dir", "."));
  }

  private static Path classesDir() {
    return projectDir().resolve("target/classes");
  }

  /** What Maven wrote for an embedded run: the compile (with Spark) and runtime class paths. */
  private static String runtimeClasspath() {
    List<String> parts = new ArrayList<>();
    String files = System.getProperty("deltascope.test.classpath.files");
    if (files == null) {
      throw new IllegalStateException("run through Maven: it writes target/classpath-*.txt");
    }
    for (String file : files.split(",")) {
      try {
        parts.add(Files.readString(Path.of(file)).strip());
      } catch (IOException e) {
        throw new IllegalStateException("run through Maven: it writes " + file, e);
      }
    }
    return String.join(java.io.File.pathSeparator, parts);
  }
}
