package io.memguard.core;

/**
 * A named piece of cleanup, such as clearing a cache or dropping intermediate results. It may run
 * more than once (on demand in an emergency, then again at scope close), so it must be safe to
 * repeat. It may throw; other actions still run and the error is reported.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface CleanupAction {
  /** Returned by {@link #run()} when the action cannot tell how much it released. */
  long UNKNOWN_BYTES = -1;

  /**
   * Runs the cleanup.
   *
   * @return the bytes it released, or {@link #UNKNOWN_BYTES}
   * @throws Exception anything; it is caught, reported and never stops other actions
   */
  long run() throws Exception;

  /** Adapts a {@link Runnable} that cannot tell how much it released. */
  static CleanupAction of(Runnable runnable) {
    return () -> {
      runnable.run();
      return UNKNOWN_BYTES;
    };
  }
}
