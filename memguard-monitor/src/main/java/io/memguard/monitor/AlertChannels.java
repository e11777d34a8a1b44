package io.memguard.monitor;

import io.memguard.monitor.internal.Slf4jAlertChannel;
import io.memguard.monitor.internal.WebhookAlertChannel;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The built-in {@link AlertChannel}s.
 *
 * @since 0.1.0
 */
public final class AlertChannels {
  private AlertChannels() {}

  /**
   * Logs through SLF4J, logger {@code io.memguard.monitor.alerts}: WARNING at WARN, CRITICAL and
   * EMERGENCY at ERROR, INFO and resolutions at INFO. This channel is registered by default (see
   * {@link MonitorConfig#logAlerts()}).
   */
  public static AlertChannel logging() {
    return new Slf4jAlertChannel("io.memguard.monitor.alerts");
  }

  /** POSTs each event as JSON to {@code url}, with a 5 s time-out. */
  public static AlertChannel webhook(URI url) {
    return webhook(url, Duration.ofSeconds(5), Map.of());
  }

  /**
   * POSTs each event as JSON ({@link AlertEvent#toJson()}) to {@code url}. A non-2xx answer, a
   * time-out or a refused connection counts as a failed delivery; there are no retries.
   *
   * @param url an http or https URL
   * @param timeout connect and request time-out
   * @param headers extra request headers, e.g. an authorization token
   * @throws IllegalArgumentException if the URL is not http(s) or the time-out is not positive
   */
  public static AlertChannel webhook(URI url, Duration timeout, Map<String, String> headers) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(headers, "headers");
    String scheme = url.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw new IllegalArgumentException("webhook URL must be http or https, got " + url);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("webhook time-out must be positive, got " + timeout);
    }
    return new WebhookAlertChannel(url, timeout, headers);
  }
}
