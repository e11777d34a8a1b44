package io.memguard.autofeat.internal.linear;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A loop over {@code [0, n)} split into blocks that the calling thread and, when it is free, one
 * helper thread claim one at a time. Each index is computed by exactly one thread in the same way
 * whichever it is, so the results are the same bits as a loop on one thread. The caller never waits
 * for a helper that has not started: it claims every block left, and waits only for the block the
 * helper is computing. Thread-safe.
 */
final class HelpedLoop {

  /** Computes the indices {@code [from, to)}. */
  @FunctionalInterface
  interface Range {
    void compute(int from, int to);
  }

  /** Blocks a loop is split into at most: a few per thread, so neither waits long for the other. */
  private static final int MAX_BLOCKS = 16;

  /** Spins before the caller parks while the helper finishes its block. */
  private static final int SPINS = 1 << 10;

  private HelpedLoop() {}

  /**
   * Runs {@code body} over {@code [0, n)}: on the calling thread alone when {@code helper} is null
   * or there are fewer than 2 blocks of {@code minBlock} indices, else helped by one task on {@code
   * helper}.
   */
  static void run(@Nullable Executor helper, int n, int minBlock, Range body) {
    int blocks = helper == null ? 1 : Math.min(MAX_BLOCKS, n / Math.max(1, minBlock));
    if (blocks < 2) {
      body.compute(0, n);
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable claim =
        () -> {
          for (int b = next.getAndIncrement(); b < blocks; b = next.getAndIncrement()) {
            try {
              body.compute(start(b, n, blocks), start(b + 1, n, blocks));
            } catch (Throwable e) {
              Throwable first = failure.compareAndExchange(null, e);
              if (first != null && first != e) {
                first.addSuppressed(e);
              }
            } finally {
              done.incrementAndGet();
            }
          }
        };
    try {
      helper.execute(claim);
    } catch (RejectedExecutionException e) {
      // a helper shut down (its selection ended) or saturated: the caller computes every block
    }
    claim.run();
    for (int spins = 0; done.get() < blocks; spins++) {
      if (spins < SPINS) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(10_000);
      }
    }
    Throwable e = failure.get();
    if (e instanceof RuntimeException re) {
      throw re;
    }
    if (e instanceof Error err) {
      throw err;
    }
  }

  private static int start(int block, int n, int blocks) {
    return (int) ((long) n * block / blocks);
  }
}
