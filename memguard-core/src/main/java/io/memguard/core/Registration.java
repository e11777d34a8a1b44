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
}
