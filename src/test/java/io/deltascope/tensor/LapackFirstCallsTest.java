package io.deltascope.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many tasks making their first LAPACK call at once, on netlib's Java LAPACK (the native library
 * pointed nowhere), in a fresh JVM: none may hang or compute with half-initialised machine
 * constants. netlib marks its constants computed before it has finished computing them, so the
 * constants must be there before the first task can call: when {@link LinearAlgebra} is
 * initialised.
 */
class LapackFirstCallsTest {
  private static final int THREADS = 32;
  private static final int N = 24;

  @TempDir Path dir;

  @Test
  void manyThreadsFirstLapackCallsOnTheJavaFallbackNeitherHangNorMiscompute() throws Exception {
    Path log = dir.resolve("child.log");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Xint", // interpreted: netlib's initialisation is slow, the race window wide
                "-Ddev.ludovic.netlib.lapack.nativeLib=/nonexistent.so",
                "-cp",
                classPath(),
                FirstCalls.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean finished = child.waitFor(120, TimeUnit.SECONDS);
    if (!finished) {
      child.destroyForcibly().waitFor();
    }
    String output = Files.readString(log);
    assertThat(finished).as("finished in 120 s:\n%s", output).isTrue();
    assertThat(output).contains("Java fallback F2jLAPACK");
    assertThat(output).contains("constants computed by LinearAlgebra's initialisation: true");
    assertThat(output).contains(THREADS + " threads: all right");
    assertThat(child.exitValue()).as(output).isZero();
  }

  /** The child JVM: initialise LinearAlgebra, then every thread's first LAPACK call at once. */
  public static final class FirstCalls {
    private FirstCalls() {}

    public static void main(String[] args) throws Exception {
      System.out.println(LinearAlgebra.describe());
      boolean computed = !org.netlib.lapack.Dlamch.first;
      System.out.println("constants computed by LinearAlgebra's initialisation: " + computed);
      CyclicBarrier start = new CyclicBarrier(THREADS);
      ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        Thread thread = new Thread(() -> firstCall(start, wrong));
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      System.out.println(THREADS + " threads: " + (wrong.isEmpty() ? "all right" : wrong));
      System.exit(computed && wrong.isEmpty() ? 0 : 1);
    }

    private static void firstCall(CyclicBarrier start, ConcurrentLinkedQueue<String> wrong) {
      try {
        start.await();
        double overflow = LinearAlgebra.lapack().dlamch("O");
        double safeMinimum = LinearAlgebra.lapack().dlamch("S");
        if (overflow != Double.MAX_VALUE || safeMinimum != Double.MIN_NORMAL) {
          wrong.add("dlamch O = " + overflow + ", S = " + safeMinimum);
        }
        // a tiny matrix, so that dsyevd scales it with dlascl (where the hang was seen)
        double[] a = new double[N * N];
        for (int i = 0; i < N; i++) {
          a[i * N + i] = (i + 1) * 1e-300;
        }
        double[] w = LinearAlgebra.symmetricEigenvalues(a, N);
        for (int i = 0; i < N; i++) {
          if (Math.abs(w[i] - (i + 1) * 1e-300) > 1e-310) {
            wrong.add("eigenvalue " + i + " = " + w[i]);
            return;
          }
        }
      } catch (Exception | Error e) {
        wrong.add(e.toString());
      }
    }
  }

  private static String classPath() throws Exception {
    List<String> entries = new ArrayList<>();
    entries.add(FirstCalls.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    entries.add(LinearAlgebra.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    for (String file : System.getProperty("deltascope.test.classpath.files").split(",")) {
      entries.add(Files.readString(Path.of(file)).strip());
    }
    return String.join(File.pathSeparator, entries);
  }
}
