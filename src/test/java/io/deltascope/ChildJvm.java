package io.deltascope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test's child JVM on the test class path: for what may end the JVM (a System.exit deep in the
 * JDK, a fault) or needs a fresh one.
 *
 * @param exitCode its exit code
 * @param stdout what it printed
 * @param stderr what it printed on stderr
 */
public record ChildJvm(int exitCode, String stdout, String stderr) {

  /**
   * Runs {@code main} with {@code jvmOptions} and {@code args}, at most {@code seconds}; output
   * goes through files in {@code dir}.
   */
  public static ChildJvm run(
      Path dir, long seconds, List<String> jvmOptions, Class<?> main, String... args)
      throws Exception {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    line.addAll(jvmOptions);
    line.add("-cp");
    line.add(classPath(main));
    line.add(main.getName());
    line.addAll(List.of(args));
    Path out = Files.createTempFile(dir, main.getSimpleName(), ".out");
    Path err = Files.createTempFile(dir, main.getSimpleName(), ".err");
    Process child =
        new ProcessBuilder(line).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    boolean finished = child.waitFor(seconds, TimeUnit.SECONDS);
    if (!finished) {
      child.destroyForcibly().waitFor();
    }
    String stderr = Files.readString(err);
    assertThat(finished).as("finished in %d s:\n%s", seconds, stderr).isTrue();
    return new ChildJvm(child.exitValue(), Files.readString(out), stderr);
  }

  private static String classPath(Class<?> main) throws Exception {
    List<String> entries = new ArrayList<>();
    entries.add(main.getProtectionDomain().getCodeSource().getLocation().getPath());
    entries.add(
        io.deltascope.cli.Main.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    for (String file : System.getProperty("deltascope.test.classpath.files").split(",")) {
      entries.add(Files.readString(Path.of(file)).strip());
    }
    return String.join(File.pathSeparator, entries);
  }
}
