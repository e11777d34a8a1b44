package io.memguard.monitor;

/**
 * Hears every {@link GuardEvent}, on the thread that evaluated the sample (the monitor's sampler).
 * Must be quick; an exception it throws is logged and ignored.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface GuardListener {

  /** Called once per event, in order. */
  void onEvent(GuardEvent event);
}
