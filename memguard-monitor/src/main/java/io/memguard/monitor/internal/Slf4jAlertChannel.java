package io.memguard.monitor.internal;

import io.memguard.monitor.AlertChannel;
import io.memguard.monitor.AlertEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs alert events through SLF4J under the logger {@code io.memguard.monitor.alerts}: INFO alerts
 * at INFO, WARNING at WARN, CRITICAL and EMERGENCY at ERROR; resolutions at INFO. Thread-safe.
 */
public final class Slf4jAlertChannel implements AlertChannel {
  private final Logger log;

  /** Logs to {@code loggerName}. */
  public Slf4jAlertChannel(String loggerName) {
    this.log = LoggerFactory.getLogger(loggerName);
  }

  @Override
  public String name() {
    return "log";
  }

  @Override
  public void deliver(AlertEvent event) {
    String line = "memguard alert: " + event;
    if (event.type() == AlertEvent.Type.RESOLVED) {
      log.info(line);
      return;
    }
    switch (event.alert().severity()) {
      case INFO -> log.info(line);
      case WARNING -> log.warn(line);
      default -> log.error(line);
    }
  }
}
