/**
 * memguard-core: memory budgets, hierarchical scopes and reservations, fair admission of concurrent
 * tasks, staged cleanup and weak registries. Only {@code io.memguard.core} is exported as API; the
 * monitor (another memguard module) also reads {@code io.memguard.core.internal}.
 *
 * @since 0.1.0
 */
@SuppressWarnings("module") // the qualified export names a module built after this one
module io.memguard.core {
  requires transitive org.jspecify;
  requires org.slf4j;
  requires com.github.benmanes.caffeine;
  requires java.management;
  requires jdk.management;
  requires jdk.jfr;

  exports io.memguard.core;
  exports io.memguard.core.internal to
      io.memguard.monitor;
}
