package io.memguard.spark;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.memguard.core.MemoryManager;
import io.memguard.core.Registration;
import io.memguard.monitor.AlertEvent;
import io.memguard.monitor.GuardEvent;
import io.memguard.monitor.LeakReport;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MemorySnapshot;
import io.memguard.monitor.MonitorConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * memguard's protection in every executor, through Spark's plugin API: add it with {@code --conf
 * spark.plugins=io.memguard.spark.MemguardSparkPlugin}.
 *
 * <ul>
 *   <li>In each executor it starts a {@link MemoryMonitor} (heap, live set, RSS, leak detector,
 *       alerts and the emergency guard) on the executor's manager ({@link ExecutorMemory}), and
 *       closes it when the executor shuts down. {@code spark.memguard.monitor.periodMs} sets its
 *       sample period (default 1000).
 *   <li>It registers memguard's figures in Spark's metrics system (source {@code
 *       plugin.io.memguard.spark.MemguardSparkPlugin}): {@code budgetBytes}, {@code reservedBytes},
 *       {@code liveSetBytes}, {@code rssBytes}, {@code pressureLevel} (0 NORMAL to 3 EMERGENCY),
 *       {@code guardEmergencies}, {@code leakState} (0 none, 1 suspected, 2 leak), {@code
 *       tasksWaiting}.
 *   <li>It sends the executor's alerts, guard events and leak reports to the driver (the plugin's
 *       RPC, asynchronously), where {@link #addDriverListener} listeners receive them as {@link
 *       ExecutorEvent}s and {@link #driverEvents()} keeps the latest 256.
 * </ul>
 *
 * <p>In local mode the driver is the executor: one monitor runs, and its events take the same path.
 * Observers never throw into Spark: a failed send is logged once and dropped. Thread-safe.
 *
 * @since 0.1.0
 */
public final class MemguardSparkPlugin implements SparkPlugin {
  private static final Logger log = LoggerFactory.getLogger(MemguardSparkPlugin.class);
  private static final int KEPT = 256;

  private static final CopyOnWriteArrayList<Consumer<ExecutorEvent>> driverListeners =
      new CopyOnWriteArrayList<>();
  private static final ArrayDeque<ExecutorEvent> received = new ArrayDeque<>();
  private static volatile MemoryMonitor executorMonitor;

  /** Spark builds the plugin by this constructor. */
  public MemguardSparkPlugin() {}

  @Override
  public DriverPlugin driverPlugin() {
    return new Driver();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new Executor();
  }

  /**
   * Tells {@code listener} (on the driver) of every executor's events from now on; whatever it
   * throws is logged and ignored.
   */
  public static Registration addDriverListener(Consumer<ExecutorEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    driverListeners.add(listener);
    return Registration.once(() -> driverListeners.remove(listener));
  }

  /** The latest events the driver received, oldest first. */
  public static List<ExecutorEvent> driverEvents() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** The monitor this JVM's executor plugin runs, while it runs. */
  public static Optional<MemoryMonitor> executorMonitor() {
    return Optional.ofNullable(executorMonitor);
  }

  private static final class Driver implements DriverPlugin {
    @Override
    public Map<String, String> init(SparkContext sc, PluginContext ctx) {
      return Map.of();
    }

    @Override
    public Object receive(Object message) {
      if (message instanceof ExecutorEvent e) {
        synchronized (received) {
          if (received.size() == KEPT) {
            received.removeFirst();
          }
          received.addLast(e);
        }
        for (Consumer<ExecutorEvent> l : driverListeners) {
          try {
            l.accept(e);
          } catch (Throwable ex) {
            log.warn("memguard: a driver listener threw on {}; ignored", e.summary(), ex);
          }
        }
      }
      return null;
    }
  }

  /**
   * {@code spark.memguard.monitor.periodMs} in Spark's time syntax ({@code 500}, {@code 500ms},
   * {@code 1s}), at least the monitor's shortest period; a value Spark cannot read is logged and
   * the default (1 s) taken, since a setting of ours must not fail the executor.
   */
  static long periodMillis(org.apache.spark.SparkConf conf) {
    String key = "spark.memguard.monitor.periodMs";
    long period;
    try {
      period = conf.getTimeAsMs(key, "1000ms");
    } catch (RuntimeException e) {
      log.warn(
          "memguard: cannot read {}='{}' ({}); monitoring every 1000 ms",
          key,
          conf.get(key, ""),
          e.toString());
      return 1000;
    }
    return Math.max(period, MonitorConfig.MIN_PERIOD.toMillis());
  }

  private static final class Executor implements ExecutorPlugin {
    private final List<Registration> registrations = new ArrayList<>();
    private MemoryMonitor monitor;
    private PluginContext ctx;
    private volatile boolean sendFailed;

    @Override
    public void init(PluginContext ctx, Map<String, String> extraConf) {
      this.ctx = ctx;
      MemoryManager memory = ExecutorMemory.manager();
      long period = periodMillis(ctx.conf());
      monitor =
          MemoryMonitor.start(
              memory, MonitorConfig.builder().period(Duration.ofMillis(period)).build());
      executorMonitor = monitor;
      registrations.add(monitor.alerts().addListener(this::onAlert));
      monitor.emergencyGuard().ifPresent(g -> registrations.add(g.addListener(this::onGuard)));
      registrations.add(monitor.leakDetector().addListener(this::onLeak));
      registerMetrics(ctx.metricRegistry(), memory, monitor);
      log.info(
          "memguard: monitoring executor {} on {} (budget {}, period {} ms)",
          ctx.executorID(),
          ctx.hostname(),
          io.memguard.core.MemorySize.format(memory.budgetBytes()),
          period);
    }

    private void onAlert(AlertEvent e) {
      send(
          "alert",
          e.alert().rule()
              + " "
              + e.type().name().toLowerCase(Locale.ROOT)
              + ": "
              + e.alert().message(),
          e.toJson(),
          e.time().toEpochMilli());
    }

    private void onGuard(GuardEvent e) {
      send("guard", e.type() + ": " + e.message(), e.toJson(), System.currentTimeMillis());
    }

    private void onLeak(LeakReport r) {
      send(
          "leak",
          r.describe().lines().findFirst().orElse("leak report"),
          r.toJson(),
          System.currentTimeMillis());
    }

    private void send(String kind, String summary, String json, long at) {
      try {
        ctx.send(new ExecutorEvent(ctx.executorID(), ctx.hostname(), kind, summary, json, at));
      } catch (Exception | LinkageError ex) {
        if (!sendFailed) {
          sendFailed = true;
          log.warn("memguard: could not send an executor event to the driver; dropped", ex);
        }
      }
    }

    @Override
    public void shutdown() {
      registrations.forEach(Registration::close);
      registrations.clear();
      if (monitor != null) {
        monitor.close();
        if (executorMonitor == monitor) {
          executorMonitor = null;
        }
        monitor = null;
      }
    }
  }

  private static void registerMetrics(
      MetricRegistry registry, MemoryManager memory, MemoryMonitor monitor) {
    registry.register("budgetBytes", (Gauge<Long>) memory::budgetBytes);
    registry.register("reservedBytes", (Gauge<Long>) memory::reservedBytes);
    registry.register(
        "liveSetBytes",
        (Gauge<Long>) () -> monitor.latest().map(MemorySnapshot::liveSetBytes).orElse(-1L));
    registry.register(
        "rssBytes", (Gauge<Long>) () -> monitor.latest().map(MemorySnapshot::rssBytes).orElse(-1L));
    registry.register("pressureLevel", (Gauge<Integer>) () -> memory.pressureLevel().ordinal());
    registry.register(
        "guardEmergencies",
        (Gauge<Long>) () -> monitor.emergencyGuard().map(g -> g.stats().emergencies()).orElse(0L));
    registry.register(
        "leakState", (Gauge<Integer>) () -> monitor.leakDetector().status().state().ordinal());
    registry.register("tasksWaiting", (Gauge<Integer>) () -> memory.allocator().waitingCount());
  }
}
