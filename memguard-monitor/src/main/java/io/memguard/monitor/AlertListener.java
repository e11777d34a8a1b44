package io.memguard.monitor;

/**
 * Receives every alert event (fired, escalated, resolved) of a monitor. Called on a dedicated
 * notification thread, never on the sampler or application threads; a listener that throws is
 * logged and stays registered. Register with {@link Alerts#addListener(AlertListener)}.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface AlertListener {

  /** Called once per event, in the order the events happened. */
  void onAlert(AlertEvent event);
}
