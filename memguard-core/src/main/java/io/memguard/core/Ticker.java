package io.memguard.core;

/**
 * A source of monotonic time in nanoseconds, injectable so that tests control time instead of
 * sleeping. Implementations must be thread-safe.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
  long read();

  /** The system ticker, {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
