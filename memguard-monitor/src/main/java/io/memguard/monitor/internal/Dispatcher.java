package io.memguard.monitor.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs notification tasks (listener calls, channel deliveries) away from the sampler: a bounded
 * queue and one daemon thread, so a slow or failing consumer never blocks sampling. When the queue
 * is full a task is dropped and counted. A task that throws is logged (once at WARN per source) and
 * the next task runs. Thread-safe; {@link #close()} is idempotent and lets queued tasks finish for
 * at most the given grace period.
 */
public final class Dispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final Runnable STOP = () -> {};

  private final String name;
  private final BlockingQueue<Runnable> queue;
  private final Thread thread;
  private final boolean direct;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final OnceLogger once = new OnceLogger(LOG);
  private volatile boolean closed;

  private Dispatcher(String name, int capacity, boolean direct) {
    this.name = name;
    this.direct = direct;
    if (direct) {
      queue = null;
      thread = null;
    } else {
      if (capacity < 1) {
        throw new IllegalArgumentException("queue capacity must be at least 1, got " + capacity);
      }
      queue = new ArrayBlockingQueue<>(capacity);
      thread = new Thread(this::loop, name);
      thread.setDaemon(true);
      thread.start();
    }
  }

  /**
   * A dispatcher with its own daemon thread called {@code threadName} and a queue of {@code
   * capacity}.
   */
  public static Dispatcher threaded(String threadName, int capacity) {
    return new Dispatcher(threadName, capacity, false);
  }

  /** A dispatcher that runs tasks on the calling thread, for deterministic tests. */
  public static Dispatcher direct(String name) {
    return new Dispatcher(name, 0, true);
  }

  /** Queues a task; returns false (and counts a drop) when the queue is full or closed. */
  public boolean submit(String source, Runnable task) {
    if (closed) {
      dropped.incrementAndGet();
      return false;
    }
    Runnable wrapped = () -> run(source, task);
    if (direct) {
      wrapped.run();
      return true;
    }
    if (!queue.offer(wrapped)) {
      dropped.incrementAndGet();
      return false;
    }
    return true;
  }

  private void run(String source, Runnable task) {
    try {
      task.run();
      completed.incrementAndGet();
    } catch (Throwable e) {
      // any Error too (an OutOfMemoryError while a listener formats under pressure): the thread
      // must outlive it, or every later event would be dropped without a word
      failed.incrementAndGet();
      once.warn(
          name + "/" + source,
          "memguard monitor: " + source + " failed on " + name + "; it stays registered",
          e);
    }
  }

  private void loop() {
    while (true) {
      Runnable task;
      try {
        task = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (task == STOP) {
        return;
      }
      task.run();
    }
  }

  /** Tasks dropped because the queue was full or the dispatcher closed. */
  public long dropped() {
    return dropped.get();
  }

  /** Tasks that threw. */
  public long failed() {
    return failed.get();
  }

  /** Tasks that ran to completion. */
  public long completed() {
    return completed.get();
  }

  /** Tasks waiting. */
  public int queued() {
    return direct ? 0 : queue.size();
  }

  /**
   * Stops accepting tasks, lets queued ones run for up to {@code graceMillis}, then stops the
   * thread.
   */
  public void close(long graceMillis) {
    if (closed) {
      return;
    }
    closed = true;
    if (direct) {
      return;
    }
    if (!queue.offer(STOP)) {
      thread.interrupt();
    }
    if (Thread.currentThread() == thread) {
      return; // closed from one of its own tasks: the loop ends after this task
    }
    try {
      thread.join(Math.max(1, graceMillis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      thread.interrupt();
    }
  }

  @Override
  public void close() {
    close(TimeUnit.SECONDS.toMillis(1));
  }
}
