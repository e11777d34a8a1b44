package io.memguard.monitor;

/**
 * A way out for alerts: a log, a webhook, a pager. Each channel registered with {@link
 * Alerts#addChannel(AlertChannel, Severity, int)} gets its own bounded queue and daemon thread, so
 * a slow or failing channel delays nobody else; when its queue is full events are dropped and
 * counted ({@link Alerts#channelStats()}). Built-in channels are in {@link AlertChannels}.
 *
 * @since 0.1.0
 */
public interface AlertChannel {

  /** A short name for statistics, logs and the delivery thread's name. */
  String name();

  /**
   * Delivers one event. Called from the channel's own thread, one event at a time.
   *
   * @throws Exception when delivery failed; it is counted and logged, and the next event is tried
   */
  void deliver(AlertEvent event) throws Exception;
}
