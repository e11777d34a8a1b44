package io.memguard.monitor.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Logs a recurring problem at WARN the first time per key and at DEBUG afterwards, so a failing
 * source or channel is reported once with what to do, not once per sample. Thread-safe.
 */
public final class OnceLogger {
  private final Logger log;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /** Logs through {@code log}. */
  public OnceLogger(Logger log) {
    this.log = log;
  }

  /** WARN the first time {@code key} is seen, DEBUG afterwards. */
  public void warn(String key, String message, Throwable error) {
    try {
      if (warned.size() < 1000 && warned.add(key)) {
        log.warn(message + " (further occurrences are logged at DEBUG)", error);
      } else if (log.isDebugEnabled()) {
        log.debug(message, error);
      }
    } catch (RuntimeException ignored) {
      // A broken logging backend must not break the observer either.
    }
  }

  /** Forgets {@code key}, so its next occurrence is logged at WARN again (after a recovery). */
  public void reset(String key) {
    warned.remove(key);
  }
}
