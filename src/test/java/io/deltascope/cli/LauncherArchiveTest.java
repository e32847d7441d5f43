package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit/deltascope's class-data archive: recorded by a command that did its work, never by {@code
 * --help} or a usage error (whose few classes would make every later run slower). The launcher runs
 * as users run it, on a copy of the project with the compiled classes as its jar.
 */
class LauncherArchiveTest {
  @TempDir Path root;

  @BeforeEach
  void project() throws IOException {
    Path project = Path.of(System.getProperty("deltascope.project.dir", ".")).toAbsolutePath();
    Files.createDirectories(root.resolve("submit"));
    Files.createDirectories(root.resolve("conf"));
    Files.createDirectories(root.resolve("target"));
    Files.copy(project.resolve("submit/deltascope"), root.resolve("submit/deltascope"));
    root.resolve("submit/deltascope").toFile().setExecutable(true);
    Files.copy(project.resolve("conf/log4j2.properties"), root.resolve("conf/log4j2.properties"));
    for (String file : System.getProperty("deltascope.test.classpath.files").split(",")) {
      Path from = Path.of(file);
      Files.copy(
          from,
          root.resolve("target").resolve(from.getFileName()),
          StandardCopyOption.REPLACE_EXISTING);
    }
    jar(project.resolve("target/classes"), root.resolve("target/deltascope.jar"));
  }

  @Test
  void helpAndUsageErrorsLeaveNoArchiveAndAWorkingRunRecordsOne() throws Exception {
    Path archive = root.resolve("target/cds/weight-diff.jsa");
    assertThat(launch("weight-diff", "--help")).isZero();
    assertThat(archive).doesNotExist();
    assertThat(launch("weight-diff", "--no-such-option")).isEqualTo(2);
    assertThat(archive).doesNotExist();
    String base = Fixtures.model("llama-base").toString();
    String sft = Fixtures.model("llama-sft").toString();
    assertThat(launch("weight-diff", "--structure-only", "-b", base, "-f", sft)).isZero();
    assertThat(archive).exists();
    try (Stream<Path> left = Files.list(root.resolve("target/cds"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("weight-diff.jsa");
    }
  }

  private int launch(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(root.resolve("submit/deltascope").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(root.resolve("launch.log").toFile());
    builder.environment().put("DELTASCOPE_JAVA_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1");
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = builder.start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return p.exitValue();
  }

  private static void jar(Path classes, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> all = Files.walk(classes)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        Files.copy(p, out);
        out.closeEntry();
      }
    }
  }
}
