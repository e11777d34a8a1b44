/**
 * memguard-monitor: heap and RSS sampling, leak detection that names suspects, alerts with
 * escalation and the emergency guard. Only {@code io.memguard.monitor} is exported; {@code
 * io.memguard.monitor.internal} is not part of the API.
 *
 * @since 0.1.0
 */
module io.memguard.monitor {
  requires transitive io.memguard.core;
  requires org.slf4j;
  requires transitive java.management;
  requires jdk.management;
  requires jdk.jfr;
  requires java.net.http;
  requires com.github.oshi;

  exports io.memguard.monitor;
}
