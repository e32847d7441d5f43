package io.deltascope.job;

import io.deltascope.checkpoint.hub.HubClient;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Prints "tensors and bytes done of total, and the rate" on stderr while a job runs, from a daemon
 * thread polling counters that tasks update as they finish.
 */
public final class Progress implements AutoCloseable {
  private final Thread thread;
  private volatile boolean done;

  private Progress(Thread thread) {
    this.thread = thread;
  }

  /** A no-op progress, for runs that should be quiet. */
  public static Progress quiet() {
    return new Progress(null);
  }

  public static Progress start(
      PrintStream out,
      String label,
      LongSupplier tensorsDone,
      long tensorsTotal,
      LongSupplier bytesDone,
      long bytesTotal) {
    long started = System.nanoTime();
    long fetchedBefore = HubClient.bytesFetched();
    Progress[] self = new Progress[1];
    Thread thread =
        new Thread(
            () -> {
              while (!self[0].done) {
                sleep();
                double seconds = (System.nanoTime() - started) / 1e9;
                out.print(
                    line(
                            label,
                            tensorsDone.getAsLong(),
                            tensorsTotal,
                            bytesDone.getAsLong(),
                            bytesTotal,
                            seconds)
                        + fetched(HubClient.bytesFetched() - fetchedBefore));
                out.flush();
              }
            },
            "deltascope-progress");
    thread.setDaemon(true);
    self[0] = new Progress(thread);
    thread.start();
    return self[0];
  }

  static String line(
      String label, long tensors, long tensorsTotal, long bytes, long bytesTotal, double seconds) {
    double rate = seconds > 0 ? bytes / seconds : 0;
    return String.format(
        Locale.ROOT,
        "\r%s: %d/%d tensors, %s/%s, %s/s   ",
        label,
        tensors,
        tensorsTotal,
        human(bytes),
        human(bytesTotal),
        human((long) rate));
  }

  /**
   * The bytes fetched from the HuggingFace Hub by this JVM (the driver and, in an embedded session,
   * its executors), when any.
   */
  static String fetched(long bytes) {
    return bytes > 0 ? "fetched " + human(bytes) + " from the Hub   " : "";
  }

  /** "1.5 GB", decimal units as disks and rates are quoted. */
  public static String human(long bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static void sleep() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    done = true;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      System.err.println();
    }
  }
}
