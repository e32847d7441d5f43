package io.deltascope.checkpoint;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Frees direct and mapped buffers at once rather than at the next garbage collection, through
 * {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported); without it the GC frees them
 * later.
 */
public final class DirectBuffers {
  private static final sun.misc.Unsafe UNSAFE = unsafe();

  private DirectBuffers() {}

  /**
   * Frees {@code buffer} (a direct buffer, not a slice or duplicate of one) now. A mapped read that
   * faulted on this thread is raised first, as its InternalError, and the buffer is then left to
   * the GC: the JDK's Cleaner would take the error for its own and exit the JVM ({@link
   * MappedFaults}).
   */
  public static void free(ByteBuffer buffer) {
    if (buffer.isDirect() && UNSAFE != null) {
      MappedFaults.raisePending();
      UNSAFE.invokeCleaner(buffer);
    }
  }

  private static sun.misc.Unsafe unsafe() {
    try {
      Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
