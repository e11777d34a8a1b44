package io.memguard.autofeat.internal.select;

import org.jspecify.annotations.Nullable;

/**
 * The chunk fits of one selection run, claimed one at a time by the run's own thread and by
 * selection threads that have no run left to start (so the last runs do not leave a core idle).
 * Chunks are independent given the run's shuffle, and their outcome does not depend on which thread
 * fits them. Thread-safe.
 */
abstract class SharedChunks {

  private final int count;
  private int next;
  private int running;
  private int finished;
  private boolean closed;
  private @Nullable Throwable failure;

  SharedChunks(int count) {
    this.count = count;
  }

  /** The chunks of the run. */
  final int count() {
    return count;
  }

  /** The next chunk to fit, or -1 when none is left, the run failed or its thread closed it. */
  final synchronized int claim() {
    if (closed || failure != null || next >= count) {
      return -1;
    }
    running++;
    return next++;
  }

  /** Whether a helper may still claim a chunk. */
  final synchronized boolean open() {
    return !closed && failure == null && next < count;
  }

  /**
   * A claimed chunk is finished, successfully if {@code failure} is null; returns the chunks
   * finished so far.
   */
  final synchronized int finished(@Nullable Throwable failure) {
    running--;
    if (failure == null) {
      finished++;
    } else if (this.failure == null) {
      this.failure = failure;
    } else if (this.failure != failure) {
      this.failure.addSuppressed(failure);
    }
    notifyAll();
    return finished;
  }

  /**
   * Stops further claims and waits until every claimed chunk is finished, so the run's memory is
   * released only once no helper reads it. Returns a helper's failure, if any.
   */
  final synchronized @Nullable Throwable closeAndAwait() {
    closed = true;
    boolean interrupted = false;
    while (running > 0) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return failure;
  }
}
