package io.deltascope.tensor;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BLAS and LAPACK deltascope's spectra run on: dev.ludovic.netlib (Spark's own), which loads
 * the system's native {@code libblas.so.3} / {@code liblapack.so.3} (Debian's OpenBLAS through the
 * alternatives system; another library with {@code -Ddev.ludovic.netlib.blas.nativeLib=...}) and
 * falls back to its Java implementation when none is installed.
 *
 * <p>Threads: OpenBLAS reads {@code OPENBLAS_NUM_THREADS} when it loads. Spark runs one task per
 * core, so BLAS threads times task slots must not exceed the cores: {@code submit/deltascope} and
 * {@code conf/spark-defaults.conf} set it to 1 for the driver and the executors.
 */
public final class LinearAlgebra {
  private static final Logger LOG = LoggerFactory.getLogger(LinearAlgebra.class);
  private static final BLAS BLAS_INSTANCE = BLAS.getInstance();
  private static final LAPACK LAPACK_INSTANCE = LAPACK.getInstance();

  static {
    initialiseMachineConstants();
    if (isNative()) {
      LOG.info("linear algebra: {}", describe());
    } else {
      LOG.warn("linear algebra: {}: spectra will be slow (install libopenblas0)", describe());
    }
  }

  private LinearAlgebra() {}

  public static BLAS blas() {
    return BLAS_INSTANCE;
  }

  public static LAPACK lapack() {
    return LAPACK_INSTANCE;
  }

  /**
   * netlib's Java LAPACK (the fallback, and ARPACK's) computes its machine constants lazily in
   * static fields ({@code Dlamch}, {@code Dlamc1}, {@code Dlamc2}) and marks them computed before
   * it has finished: two tasks making their first LAPACK call at once can read a zero overflow
   * threshold and loop forever in {@code dlascl}. Computing them here, in this class's
   * initialisation (which the JVM runs once, before any thread can use the class), closes the
   * window: later calls only read them.
   */
  private static void initialiseMachineConstants() {
    org.netlib.lapack.Dlamch.dlamch("O");
  }

  /** Whether both BLAS and LAPACK are native rather than netlib's Java fallback. */
  public static boolean isNative() {
    return BLAS_INSTANCE.getClass().getSimpleName().startsWith("JNI")
        && LAPACK_INSTANCE.getClass().getSimpleName().startsWith("JNI");
  }

  /** "native BLAS (libblas.so.3), native LAPACK (liblapack.so.3), OPENBLAS_NUM_THREADS=1". */
  public static String describe() {
    return String.format(
        "%s BLAS (%s), %s LAPACK (%s), OPENBLAS_NUM_THREADS=%s",
        kind(BLAS_INSTANCE),
        System.getProperty("dev.ludovic.netlib.blas.nativeLib", "libblas.so.3"),
        kind(LAPACK_INSTANCE),
        System.getProperty("dev.ludovic.netlib.lapack.nativeLib", "liblapack.so.3"),
        System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "unset"));
  }

  private static String kind(Object implementation) {
    String name = implementation.getClass().getSimpleName();
    return name.startsWith("JNI") ? "native" : "Java fallback " + name + " of";
  }

  /**
   * All eigenvalues of the symmetric {@code [n, n]} matrix whose lower triangle {@code a} holds
   * (column-major; overwritten), ascending, by LAPACK's divide and conquer {@code dsyevd}.
   */
  public static double[] symmetricEigenvalues(double[] a, int n) {
    double[] w = new double[n];
    if (n == 0) {
      return w;
    }
    double[] work = new double[1];
    int[] iwork = new int[1];
    intW info = new intW(0);
    LAPACK_INSTANCE.dsyevd("N", "L", n, a, n, w, work, -1, iwork, -1, info);
    check(info, n);
    int lwork = (int) work[0];
    int liwork = iwork[0];
    work = new double[Math.max(1, lwork)];
    iwork = new int[Math.max(1, liwork)];
    LAPACK_INSTANCE.dsyevd("N", "L", n, a, n, w, work, lwork, iwork, liwork, info);
    check(info, n);
    return w;
  }

  private static void check(intW info, int n) {
    if (info.val != 0) {
      throw new ArithmeticException(
          "dsyevd on a " + n + " x " + n + " Gram matrix failed: info = " + info.val);
    }
  }
}
