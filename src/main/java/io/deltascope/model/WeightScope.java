package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Native memory of a set of weights (one block's, or a model's resident ones): an NDManager and the
 * direct buffers its arrays are views of. Closing frees the arrays and hands the buffers back to
 * the pool, where the next block (of the same shapes) takes them: a streamed model holds about one
 * block at a time, and does not pay for fresh pages every block.
 */
final class WeightScope implements AutoCloseable {
  private final NDManager manager;
  private final BufferPool pool;
  private final List<ByteBuffer> buffers = new ArrayList<>();

  WeightScope(NDManager parent, BufferPool pool) {
    this.manager = parent.newSubManager();
    this.pool = pool;
  }

  NDManager manager() {
    return manager;
  }

  ByteBuffer allocate(int bytes) {
    ByteBuffer b = pool.take(bytes);
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
    manager.close(); // no array points into the buffers any more
    buffers.forEach(pool::give);
    buffers.clear();
  }
}
