package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Native memory of a set of weights (one block's, or a model's resident ones): an NDManager and the
 * direct buffers its arrays are views of. Closing frees both at once instead of waiting for the
 * garbage collector, so a streamed model holds about one layer at a time.
 */
final class WeightScope implements AutoCloseable {
  private static final sun.misc.Unsafe UNSAFE = unsafe();

  private final NDManager manager;
  private final List<ByteBuffer> buffers = new ArrayList<>();

  WeightScope(NDManager parent) {
    this.manager = parent.newSubManager();
  }

  NDManager manager() {
    return manager;
  }

  ByteBuffer allocate(int bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    buffers.add(b);
    return b;
  }

  /** An array over a buffer from {@link #allocate}: PyTorch uses the memory in place. */
  NDArray adopt(ByteBuffer buffer, Shape shape) {
    buffer.rewind();
    return manager.create(buffer, shape, DataType.FLOAT32);
  }

  @Override
  public void close() {
    manager.close();
    if (UNSAFE != null) {
      for (ByteBuffer b : buffers) {
        UNSAFE.invokeCleaner(b);
      }
    }
    buffers.clear();
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
