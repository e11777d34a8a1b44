package io.memguard.core;

/**
 * A handle to something registered (a listener, a source, a cleanup action). Closing it
 * unregisters; closing it again does nothing. Thread-safe.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {

  /** Unregisters; idempotent and never throws. */
  @Override
  void close();

  /**
   * A registration that runs {@code unregister} on its first close only: what makes closing it
   * again harmless when the same listener was registered twice (a list's {@code remove} would take
   * the other registration's entry on the second close).
   *
   * @since 0.1.0
   */
  static Registration once(Runnable unregister) {
    java.util.Objects.requireNonNull(unregister, "unregister");
    java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        unregister.run();
      }
    };
  }
}
