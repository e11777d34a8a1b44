package io.memguard.autofeat.internal.linear;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * One thread, started on the first task, that runs the latest task handed to it: a task handed
 * before the thread took the previous one replaces it (a {@link HelpedLoop} task that starts late
 * finds nothing left to do, so none is needed for correctness). After a task it spins briefly, then
 * yields for about a tenth of a millisecond before it parks, since a solver hands its loops in
 * quick succession and a woken thread would start after the caller has claimed most of the work;
 * the yields leave the processor to any other thread that can run. Thread-safe; closing twice is
 * harmless.
 */
public final class HelperThread implements Executor, AutoCloseable {

  /** Spins before the thread yields between tasks: about a few microseconds. */
  private static final int SPINS = 1 << 8;

  /**
   * Yields before it parks, about a tenth of a millisecond when the processor is idle; a yield lets
   * any other runnable thread (another fit's, the JIT's) have the processor first.
   */
  private static final int YIELDS = 1 << 7;

  private final ThreadFactory factory;
  private final AtomicReference<@Nullable Runnable> next = new AtomicReference<>();
  private volatile boolean closed;
  private @Nullable Thread thread;

  /** A helper whose thread {@code factory} makes (daemon or not, as the factory says). */
  public HelperThread(ThreadFactory factory) {
    this.factory = factory;
  }

  @Override
  public void execute(Runnable task) {
    if (closed) {
      throw new RejectedExecutionException("the helper thread has stopped");
    }
    next.set(task);
    Thread t;
    synchronized (this) {
      t = thread;
      if (t == null) {
        t = factory.newThread(this::loop);
        thread = t;
        t.start();
        return;
      }
    }
    LockSupport.unpark(t);
  }

  private void loop() {
    int idle = 0;
    while (!closed) {
      Runnable task = next.getAndSet(null);
      if (task != null) {
        task.run();
        idle = 0;
      } else if (idle < SPINS) {
        idle++;
        Thread.onSpinWait();
      } else if (idle < SPINS + YIELDS) {
        idle++;
        Thread.yield();
      } else {
        LockSupport.park(this);
      }
    }
  }

  /** Stops the thread after its current task; tasks handed later are refused. */
  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}
