package io.deltascope.model;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Loads the next block on a background thread while the current one computes, so that mapping and
 * widening weights overlaps the forward pass. At most one block is in flight; closing the loader
 * frees a block that was loaded but never taken.
 */
final class BlockLoader implements AutoCloseable {
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "deltascope-block-loader");
            t.setDaemon(true);
            return t;
          });
  private Future<Block> pending;

  /** Starts loading block {@code layer} of {@code model}. */
  void request(DecoderModel model, int layer) {
    if (pending != null) {
      throw new IllegalStateException("a block is already being loaded");
    }
    pending = thread.submit(() -> model.block(layer));
  }

  /** The block last requested, once loaded. */
  Block take() {
    Future<Block> f = pending;
    pending = null;
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading a block", e);
    }
  }

  @Override
  public void close() {
    if (pending != null) {
      try {
        pending.get().close();
      } catch (ExecutionException | InterruptedException | RuntimeException e) {
        // the load failed or was interrupted: nothing was left allocated to free
      }
      pending = null;
    }
    thread.shutdownNow();
  }
}
