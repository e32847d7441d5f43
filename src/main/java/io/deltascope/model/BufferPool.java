package io.deltascope.model;

import io.deltascope.checkpoint.DirectBuffers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Direct buffers for widened weights, reused by size: block l + 1 has block l's shapes (and the
 * other model's block l too), so after the first block no new native memory is touched. {@link
 * #clear} frees what is idle at once rather than at the next garbage collection.
 */
final class BufferPool {
  /** One pool for the JVM: two models of one architecture take turns with the same buffers. */
  static final BufferPool SHARED = new BufferPool();

  private final Map<Integer, Deque<ByteBuffer>> idle = new HashMap<>();

  synchronized ByteBuffer take(int bytes) {
    Deque<ByteBuffer> free = idle.get(bytes);
    ByteBuffer b = free == null ? null : free.poll();
    if (b == null) {
      b = ByteBuffer.allocateDirect(bytes);
    }
    b.clear();
    return b.order(ByteOrder.nativeOrder());
  }

  synchronized void give(ByteBuffer buffer) {
    idle.computeIfAbsent(buffer.capacity(), k -> new ArrayDeque<>()).push(buffer);
  }

  /** Frees every idle buffer now. */
  synchronized void clear() {
    for (Deque<ByteBuffer> free : idle.values()) {
      for (ByteBuffer b : free) {
        DirectBuffers.free(b);
      }
    }
    idle.clear();
  }
}
