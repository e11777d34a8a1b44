/**
 * memguard-dashboard: a live dashboard page, a JSON and Server-Sent Events API and Prometheus
 * metrics over a {@code MemoryMonitor}, served by the JDK's HTTP server. Only {@code
 * io.memguard.dashboard} is exported; {@code io.memguard.dashboard.internal} is not part of the
 * API.
 *
 * @since 0.1.0
 */
module io.memguard.dashboard {
  requires transitive io.memguard.monitor;
  requires transitive io.memguard.autofeat;
  requires jdk.httpserver;
  requires org.slf4j;

  exports io.memguard.dashboard;
}
