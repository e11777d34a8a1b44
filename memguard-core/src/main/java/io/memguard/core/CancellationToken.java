package io.memguard.core;

import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A cooperative stop request. Whoever wants a task to stop calls {@link #cancel(String)}; the task
 * calls {@link #throwIfCancelled(String)} at its safe points (between batches) and stops there,
 * releasing what it holds. Nothing is interrupted or killed. Thread-safe; the first reason wins.
 *
 * @since 0.1.0
 */
public final class CancellationToken {
  private final AtomicReference<String> reason = new AtomicReference<>();

  /** A fresh token that is not cancelled. */
  public CancellationToken() {}

  /** A token that is never cancelled by anyone but its holder. */
  public static CancellationToken none() {
    return new CancellationToken();
  }

  /**
   * Requests a stop. Returns true if this call cancelled the token, false if it was already
   * cancelled (the first reason is kept).
   */
  public boolean cancel(String why) {
    return reason.compareAndSet(null, why == null ? "cancelled" : why);
  }

  /** True once {@link #cancel(String)} was called. A volatile read. */
  public boolean isCancelled() {
    return reason.get() != null;
  }

  /** The reason given to {@link #cancel(String)}, or {@code null}. */
  public @Nullable String reason() {
    return reason.get();
  }

  /**
   * Throws when a stop was requested; call it at safe points.
   *
   * @param where a description of the safe point, used in the exception
   * @throws TaskStoppedException if the token is cancelled
   */
  public void throwIfCancelled(String where) {
    String why = reason.get();
    if (why != null) {
      throw new TaskStoppedException(why, where);
    }
  }
}
