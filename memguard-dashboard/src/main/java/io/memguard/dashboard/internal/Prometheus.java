package io.memguard.dashboard.internal;

import io.memguard.core.MemoryManager;
import io.memguard.core.PressureLevel;
import io.memguard.core.Protection;
import io.memguard.core.ProtectionMode;
import io.memguard.core.ResourceAllocator;
import io.memguard.core.Rollout;
import io.memguard.core.TaskOutcome;
import io.memguard.monitor.Alert;
import io.memguard.monitor.EmergencyGuard;
import io.memguard.monitor.GuardStats;
import io.memguard.monitor.LeakStatus;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MemorySnapshot;
import io.memguard.monitor.Severity;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The Prometheus text exposition format (version 0.0.4) of memguard's figures: base units (bytes,
 * seconds), {@code _total} for counters, one HELP and TYPE line per family. Stateless.
 */
public final class Prometheus {
  /** The content type of the exposition. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder(4096);

  private Prometheus() {}

  /** Counters the dashboard keeps itself (from the events it saw). */
  public record Counters(
      long alertsFired, long leakReports, long guardEvents, long events, long[] fits) {}

  /** The exposition of everything the dashboard shows. */
  public static String render(
      MemoryMonitor monitor, @Nullable EmergencyGuard guard, Counters counters) {
    Prometheus p = new Prometheus();
    MemoryManager m = monitor.manager();
    p.gauge("memguard_budget_bytes", "The manager's budget.", m.budgetBytes());
    p.gauge(
        "memguard_reserved_bytes", "Bytes reserved in the manager's scopes.", m.reservedBytes());
    p.gauge("memguard_open_scopes", "Scopes open in the manager.", m.openScopeCount());
    PressureLevel level = m.pressureLevel();
    p.gauge(
        "memguard_pressure_level",
        "The pressure level: 0 NORMAL, 1 ELEVATED, 2 CRITICAL, 3 EMERGENCY.",
        level.ordinal());
    MemorySnapshot s = monitor.latest().orElse(null);
    if (s != null) {
      p.gauge("memguard_heap_used_bytes", "Heap in use, garbage included.", s.heap().usedBytes());
      p.gauge("memguard_heap_committed_bytes", "Heap committed.", s.heap().committedBytes());
      p.gauge("memguard_heap_max_bytes", "Maximum heap.", s.heap().maxBytes());
      p.gauge(
          "memguard_live_heap_bytes", "Heap in use after the last collection.", s.liveSetBytes());
      p.gauge("memguard_rss_bytes", "The process's resident set size.", s.rssBytes());
      p.gauge(
          "memguard_container_limit_bytes",
          "The container's memory limit, -1 if none.",
          s.containerLimitBytes());
      p.gauge(
          "memguard_gc_overhead_ratio",
          "Share of wall time spent in GC pauses over the last sample.",
          s.gcOverhead());
      p.gauge(
          "memguard_allocation_rate_bytes_per_second",
          "Heap allocation rate over the last sample.",
          s.allocationRateBytesPerSecond());
    }
    p.counter(
        "memguard_monitor_samples_total", "Snapshots the monitor took.", monitor.stats().samples());
    LeakStatus leak = monitor.leakDetector().status();
    p.header("memguard_leak_state", "The leak detector's state (1 for the current one).", "gauge");
    for (LeakStatus.State st : LeakStatus.State.values()) {
      p.sample("memguard_leak_state", "state", st.name(), st == leak.state() ? 1 : 0);
    }
    p.counter("memguard_leak_reports_total", "Leak reports raised.", counters.leakReports());
    p.header("memguard_alerts_active", "Open alerts by severity.", "gauge");
    for (Severity sev : Severity.values()) {
      long n = 0;
      for (Alert a : monitor.alerts().active()) {
        if (a.severity() == sev) {
          n++;
        }
      }
      p.sample("memguard_alerts_active", "severity", sev.name(), n);
    }
    p.counter("memguard_alerts_fired_total", "Alerts fired.", counters.alertsFired());
    if (guard != null) {
      GuardStats g = guard.stats();
      p.gauge(
          "memguard_guard_in_emergency",
          "1 while the guard is in an emergency.",
          g.inEmergency() ? 1 : 0);
      p.counter(
          "memguard_guard_emergencies_total", "Emergencies the guard entered.", g.emergencies());
      p.counter(
          "memguard_guard_tasks_stop_requested_total",
          "Tasks the guard asked to stop.",
          g.tasksStopRequested());
      p.counter("memguard_guard_events_total", "Guard events.", counters.guardEvents());
      p.counter(
          "memguard_guard_emergency_seconds_total",
          "Time spent in emergencies.",
          g.totalTimeInEmergency().toNanos() / 1e9);
    }
    ResourceAllocator a = m.allocator();
    p.gauge(
        "memguard_allocator_granted_bytes", "Bytes granted to running tasks.", a.grantedBytes());
    p.gauge("memguard_allocator_tasks_active", "Tasks holding a grant.", a.activeGrants().size());
    p.gauge("memguard_allocator_tasks_waiting", "Tasks waiting for admission.", a.waitingCount());
    p.counter("memguard_allocator_retries_total", "Stopped tasks queued again.", a.retriedCount());
    p.header(
        "memguard_allocator_tasks_ended_total",
        "Tasks run by the allocator, by outcome.",
        "counter");
    for (TaskOutcome.Status st : TaskOutcome.Status.values()) {
      p.sample(
          "memguard_allocator_tasks_ended_total",
          "outcome",
          st.name().toLowerCase(Locale.ROOT),
          a.endedCount(st));
    }
    Rollout rollout = m.rollout();
    p.header(
        "memguard_rollout_mode",
        "Each protection's mode: 0 OFF, 1 OBSERVE, 2 ENFORCE (canary or all).",
        "gauge");
    for (Protection pr : Protection.values()) {
      p.sample(
          "memguard_rollout_mode",
          "protection",
          pr.name().toLowerCase(Locale.ROOT),
          rollout.mode(pr).ordinal());
    }
    p.header(
        "memguard_rollout_decisions_total",
        "Decisions of the protections: enforced (acted) and observed (would have).",
        "counter");
    for (Protection pr : Protection.values()) {
      for (ProtectionMode mode :
          new ProtectionMode[] {ProtectionMode.ENFORCE, ProtectionMode.OBSERVE}) {
        p.line(
            "memguard_rollout_decisions_total{protection=\""
                + pr.name().toLowerCase(Locale.ROOT)
                + "\",mode=\""
                + mode.name().toLowerCase(Locale.ROOT)
                + "\"}",
            null,
            null,
            rollout.decisionCount(pr, mode));
      }
    }
    p.header(
        "memguard_rollout_outcomes_total",
        "What followed the protections' decisions, by mode and outcome (zero counts left out).",
        "counter");
    for (Protection pr : Protection.values()) {
      for (ProtectionMode mode :
          new ProtectionMode[] {ProtectionMode.ENFORCE, ProtectionMode.OBSERVE}) {
        for (Rollout.Outcome o : pr.outcomes()) {
          long n = rollout.outcomeCount(pr, mode, o);
          if (n > 0) {
            p.line(
                "memguard_rollout_outcomes_total{protection=\""
                    + pr.name().toLowerCase(Locale.ROOT)
                    + "\",mode=\""
                    + mode.name().toLowerCase(Locale.ROOT)
                    + "\",outcome=\""
                    + o.name().toLowerCase(Locale.ROOT)
                    + "\"}",
                null,
                null,
                n);
          }
        }
      }
    }
    p.gauge(
        "memguard_rollout_rolled_back",
        "Protections an automatic rollback put in OBSERVE.",
        rollout.rolledBack());
    long[] f = counters.fits();
    p.gauge("memguard_autofeat_fits_running", "AutoFeat fits in progress.", f[1]);
    p.header("memguard_autofeat_fits_total", "AutoFeat fits ended, by outcome.", "counter");
    p.sample("memguard_autofeat_fits_total", "outcome", "completed", f[2]);
    p.sample("memguard_autofeat_fits_total", "outcome", "failed", f[3]);
    p.counter(
        "memguard_autofeat_fits_lightweight_total", "AutoFeat fits that went lightweight.", f[4]);
    p.counter("memguard_dashboard_events_total", "Events the dashboard pushed.", counters.events());
    return p.out.toString();
  }

  private void gauge(String name, String help, double value) {
    header(name, help, "gauge");
    line(name, null, null, value);
  }

  private void counter(String name, String help, double value) {
    header(name, help, "counter");
    line(name, null, null, value);
  }

  private void header(String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private void sample(String name, String label, String value, double v) {
    line(name, label, value, v);
  }

  private void line(String name, @Nullable String label, @Nullable String labelValue, double v) {
    out.append(name);
    if (label != null) {
      out.append('{').append(label).append("=\"").append(labelValue).append("\"}");
    }
    out.append(' ');
    if (Double.isNaN(v)) {
      out.append("NaN");
    } else if (Double.isInfinite(v)) {
      out.append(v > 0 ? "+Inf" : "-Inf");
    } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      out.append((long) v);
    } else {
      out.append(String.format(Locale.ROOT, "%.9g", v));
    }
    out.append('\n');
  }
}
