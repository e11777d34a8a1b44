package io.memguard.micrometer;

import io.memguard.autofeat.FitListener;
import io.memguard.autofeat.FitReport;
import io.memguard.autofeat.PhaseReport;
import io.memguard.core.MemoryManager;
import io.memguard.core.Protection;
import io.memguard.core.ProtectionMode;
import io.memguard.core.Registration;
import io.memguard.core.ResourceAllocator;
import io.memguard.core.Rollout;
import io.memguard.core.TaskOutcome;
import io.memguard.monitor.AlertEvent;
import io.memguard.monitor.EmergencyGuard;
import io.memguard.monitor.GuardEvent;
import io.memguard.monitor.LeakListener;
import io.memguard.monitor.LeakReport;
import io.memguard.monitor.LeakStatus;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MemorySnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * A Micrometer {@link MeterBinder} for a {@link MemoryMonitor} and its manager: budget, reserved
 * bytes, pressure level, live set, RSS, leak status and reports, alerts fired, guard events and
 * emergencies, the allocator's tasks, the rollout's modes and decisions, and AutoFeat fits fed by
 * {@link #fitListener()}.
 *
 * <pre>{@code
 * MemguardMetrics metrics = new MemguardMetrics(monitor, Tags.of("pipeline", "nightly"));
 * metrics.bindTo(registry);
 * ...
 * metrics.close(); // removes its meters and listeners
 * }</pre>
 *
 * <p>Meter names follow Micrometer's conventions (dot-separated, lower case, base units: bytes,
 * seconds); every meter carries the tag {@code manager} and the tags given. Gauges and function
 * counters read the monitor and the manager when the registry publishes (a few volatile reads and,
 * for the allocator's figures, one short lock); counters of events are fed by listeners that never
 * throw into the monitor. A binder may be bound to several registries. Thread-safe; {@link
 * #close()} is idempotent.
 *
 * @since 0.1.0
 */
public final class MemguardMetrics implements MeterBinder, AutoCloseable {
  private final MemoryMonitor monitor;
  private final MemoryManager manager;
  private final @Nullable EmergencyGuard guard;
  private final Tags tags;
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final List<Registration> registrations = new ArrayList<>();
  private volatile boolean closed;

  /** A binder for {@code monitor} with only the {@code manager} tag. */
  public MemguardMetrics(MemoryMonitor monitor) {
    this(monitor, Tags.empty());
  }

  /** A binder for {@code monitor} whose meters carry {@code tags} beside {@code manager}. */
  public MemguardMetrics(MemoryMonitor monitor, Iterable<Tag> tags) {
    this.monitor = Objects.requireNonNull(monitor, "monitor");
    this.manager = monitor.manager();
    this.guard = monitor.emergencyGuard().orElse(null);
    this.tags = Tags.concat(tags, "manager", manager.name());
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (closed) {
      throw new IllegalStateException("this MemguardMetrics is closed");
    }
    for (MeterRegistry bound : registries) {
      if (bound == registry) {
        return; // bound already: counting into it twice would double every count
      }
    }
    registries.add(registry);
    gauge(registry, "memguard.budget", "bytes", "The manager's budget", m -> m.budgetBytes());
    gauge(
        registry,
        "memguard.reserved",
        "bytes",
        "Bytes reserved in the manager's scopes",
        m -> m.reservedBytes());
    gauge(
        registry,
        "memguard.scopes.open",
        null,
        "Scopes open in the manager",
        m -> m.openScopeCount());
    gauge(
        registry,
        "memguard.pressure.level",
        null,
        "The pressure level: 0 NORMAL, 1 ELEVATED, 2 CRITICAL, 3 EMERGENCY",
        m -> m.pressureLevel().ordinal());
    snapshotGauge(
        registry,
        "memguard.heap.live",
        "Heap in use after the last collection",
        MemorySnapshot::liveSetBytes);
    snapshotGauge(
        registry, "memguard.heap.used", "Heap in use, garbage included", s -> s.heap().usedBytes());
    snapshotGauge(registry, "memguard.heap.max", "Maximum heap", s -> s.heap().maxBytes());
    snapshotGauge(
        registry,
        "memguard.process.rss",
        "The process's resident set size",
        MemorySnapshot::rssBytes);
    snapshotGauge(
        registry,
        "memguard.container.limit",
        "The container's memory limit",
        MemorySnapshot::containerLimitBytes);
    meters.add(
        Gauge.builder("memguard.leak.status", monitor, m -> leakLevel(m.leakDetector().status()))
            .description("The leak detector's state: 0 NONE, 1 SUSPECTED, 2 LEAK")
            .tags(tags)
            .register(registry));
    meters.add(
        Gauge.builder("memguard.alerts.active", monitor, m -> m.alerts().active().size())
            .description("Open alerts")
            .tags(tags)
            .register(registry));
    if (guard != null) {
      meters.add(
          FunctionCounter.builder("memguard.guard.emergencies", guard, g -> g.stats().emergencies())
              .description("Emergencies the guard entered")
              .tags(tags)
              .register(registry));
      meters.add(
          Gauge.builder("memguard.guard.emergency", guard, g -> g.inEmergency() ? 1 : 0)
              .description("1 while the guard is in an emergency")
              .tags(tags)
              .register(registry));
    }
    ResourceAllocator allocator = manager.allocator();
    meters.add(
        Gauge.builder("memguard.allocator.tasks.active", allocator, a -> a.activeGrants().size())
            .description("Tasks holding a grant")
            .tags(tags)
            .register(registry));
    meters.add(
        Gauge.builder(
                "memguard.allocator.tasks.waiting", allocator, ResourceAllocator::waitingCount)
            .description("Tasks waiting for admission")
            .tags(tags)
            .register(registry));
    meters.add(
        Gauge.builder("memguard.allocator.granted", allocator, ResourceAllocator::grantedBytes)
            .description("Bytes granted to running tasks")
            .baseUnit("bytes")
            .tags(tags)
            .register(registry));
    for (TaskOutcome.Status st : TaskOutcome.Status.values()) {
      meters.add(
          FunctionCounter.builder(
                  "memguard.allocator.tasks.ended", allocator, a -> a.endedCount(st))
              .description("Tasks run by the allocator, by outcome")
              .tags(tags.and("outcome", st.name().toLowerCase(Locale.ROOT)))
              .register(registry));
    }
    Rollout rollout = manager.rollout();
    for (Protection p : Protection.values()) {
      String protection = p.name().toLowerCase(Locale.ROOT);
      meters.add(
          Gauge.builder("memguard.rollout.mode", rollout, r -> r.mode(p).ordinal())
              .description("A protection's mode: 0 OFF, 1 OBSERVE, 2 ENFORCE (canary or all)")
              .tags(tags.and("protection", protection))
              .register(registry));
      for (ProtectionMode mode :
          new ProtectionMode[] {ProtectionMode.ENFORCE, ProtectionMode.OBSERVE}) {
        meters.add(
            FunctionCounter.builder(
                    "memguard.rollout.decisions", rollout, r -> r.decisionCount(p, mode))
                .description("A protection's decisions: enforced (acted) or observed (would have)")
                .tags(
                    tags.and(
                        "protection", protection, "mode", mode.name().toLowerCase(Locale.ROOT)))
                .register(registry));
        for (Rollout.Outcome o : p.outcomes()) {
          meters.add(
              FunctionCounter.builder(
                      "memguard.rollout.outcomes", rollout, r -> r.outcomeCount(p, mode, o))
                  .description("What followed a protection's decisions, by mode and outcome")
                  .tags(
                      tags.and(
                          "protection",
                          protection,
                          "mode",
                          mode.name().toLowerCase(Locale.ROOT),
                          "outcome",
                          o.name().toLowerCase(Locale.ROOT)))
                  .register(registry));
        }
      }
    }
    if (registrations.isEmpty()) {
      listen();
    }
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      @Nullable String unit,
      String description,
      ToDoubleFunction<MemoryManager> value) {
    Gauge.Builder<MemoryManager> b =
        Gauge.builder(name, manager, value).description(description).tags(tags);
    if (unit != null) {
      b.baseUnit(unit);
    }
    meters.add(b.register(registry));
  }

  private void snapshotGauge(
      MeterRegistry registry,
      String name,
      String description,
      java.util.function.ToLongFunction<MemorySnapshot> bytes) {
    meters.add(
        Gauge.builder(
                name,
                monitor,
                m ->
                    m.latest()
                        .map(s -> (double) bytes.applyAsLong(s))
                        .filter(v -> v >= 0)
                        .orElse(Double.NaN))
            .description(description)
            .baseUnit("bytes")
            .tags(tags)
            .register(registry));
  }

  private static double leakLevel(LeakStatus s) {
    return switch (s.state()) {
      case NONE -> 0;
      case SUSPECTED -> 1;
      case LEAK -> 2;
    };
  }

  private void listen() {
    registrations.add(
        monitor
            .alerts()
            .addListener(
                e -> {
                  if (e.type() == AlertEvent.Type.FIRED) {
                    count(
                        "memguard.alerts.fired",
                        "Alerts fired, by severity",
                        Tags.of("severity", e.alert().severity().name().toLowerCase(Locale.ROOT)));
                  }
                }));
    registrations.add(
        monitor
            .leakDetector()
            .addListener(
                new LeakListener() {
                  @Override
                  public void onLeakReport(LeakReport report) {
                    count("memguard.leak.reports", "Leak reports raised", Tags.empty());
                  }

                  @Override
                  public void onLeakCleared(Instant at) {}
                }));
    if (guard != null) {
      registrations.add(
          guard.addListener(
              (GuardEvent e) ->
                  count(
                      "memguard.guard.events",
                      "Guard events, by type",
                      Tags.of("type", e.type().name().toLowerCase(Locale.ROOT)))));
    }
  }

  /**
   * A listener that records one AutoFeat fit: {@code memguard.autofeat.fits} (counter, tags {@code
   * outcome} and {@code lightweight}) and {@code memguard.autofeat.fit.phase} (timer, tag {@code
   * phase}) with each phase's duration. Give it to the fit's {@code
   * AutoFeatProcessor.Builder.listener}; one listener may serve many fits.
   */
  public FitListener fitListener() {
    return new FitListener() {
      @Override
      public void onFinished(FitReport report) {
        record(report, "completed");
      }

      @Override
      public void onFailed(FitReport partial, RuntimeException failure) {
        record(partial, "failed");
      }
    };
  }

  // synchronized with close(): a meter registered after close removed the others would stay
  private synchronized void record(@Nullable FitReport report, String outcome) {
    if (closed) {
      return;
    }
    boolean lightweight = report != null && report.lightweight();
    count(
        "memguard.autofeat.fits",
        "AutoFeat fits ended, by outcome",
        Tags.of("outcome", outcome, "lightweight", Boolean.toString(lightweight)));
    if (report == null) {
      return;
    }
    for (PhaseReport phase : report.phases()) {
      for (MeterRegistry r : registries) {
        Timer t =
            Timer.builder("memguard.autofeat.fit.phase")
                .description("Duration of AutoFeat fit phases")
                .tags(tags.and("phase", phase.phase().name().toLowerCase(Locale.ROOT)))
                .register(r);
        remember(t);
        t.record(phase.duration());
      }
    }
  }

  private synchronized void count(String name, String description, Tags extra) {
    if (closed) {
      return;
    }
    for (MeterRegistry r : registries) {
      Counter c = Counter.builder(name).description(description).tags(tags.and(extra)).register(r);
      remember(c);
      c.increment();
    }
  }

  private void remember(Meter m) {
    if (!meters.contains(m)) {
      meters.add(m);
    }
  }

  /** Removes its meters from every registry it was bound to and its listeners; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Registration r : registrations) {
      r.close();
    }
    for (MeterRegistry registry : registries) {
      for (Meter m : meters) {
        registry.remove(m);
      }
    }
    meters.clear();
    registries.clear();
  }
}
