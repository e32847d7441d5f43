package io.deltascope.checkpoint;

import java.util.function.Function;

/**
 * Reads of memory-mapped bytes whose file may be cut under them, and the one rule that makes such a
 * fault come out where it happened.
 *
 * <p>A read of a mapping past the end of a truncated file raises SIGBUS. HotSpot (JDK 17) turns it
 * into an {@link InternalError}, but from compiled code not at the read: the faulting load is
 * skipped (it yields garbage) and the error is only marked pending on the thread, to be thrown at
 * the thread's next call into the VM runtime that checks for asynchronous exceptions ({@code
 * JavaThread::check_and_handle_async_exceptions}; natives returning do not). That call can be far
 * from the read: in Spark's code, or inside the JDK's {@code Cleaner} while we unmap the window,
 * which takes any Throwable for its own failure and calls {@code System.exit(1)}. So a fault is
 * raised here, on purpose, before a mapping is released and before a guarded read ends.
 */
public final class MappedFaults {
  // not final, so that no compiler can see it constant and build the array without the runtime
  private static volatile int rows = 1;
  private static volatile Object sink;

  private MappedFaults() {}

  /**
   * Throws the InternalError of a mapped read that faulted on this thread and is still pending;
   * does nothing when none is. It allocates a two-dimensional array whose outer length no compiler
   * can know: the interpreter, C1 and C2 all allocate those in the VM runtime, whose return to Java
   * delivers the pending error.
   */
  public static void raisePending() {
    sink = new byte[rows][0];
  }

  /** A read of mapped bytes. */
  @FunctionalInterface
  public interface MappedRead<T, E extends Exception> {
    T read() throws E;
  }

  /**
   * Runs {@code read} and raises any fault it left pending before returning; a fault (raised in the
   * read, or after it) becomes {@code changed}'s exception, which names the file. An exception the
   * read threw on garbage from a faulting load gives way to the fault's.
   */
  public static <T, E extends Exception> T guard(
      MappedRead<T, E> read, Function<InternalError, CheckpointException> changed) throws E {
    try {
      T result = read.read();
      raisePending();
      return result;
    } catch (InternalError fault) {
      throw changed.apply(fault);
    } catch (Exception e) {
      try {
        raisePending();
      } catch (InternalError fault) {
        throw changed.apply(fault);
      }
      throw e;
    }
  }
}
