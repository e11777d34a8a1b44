package io.memguard.dashboard.internal;

import io.memguard.core.BatchDecision;
import io.memguard.core.EndedTask;
import io.memguard.core.Grant;
import io.memguard.core.MemoryManager;
import io.memguard.core.Protection;
import io.memguard.core.ProtectionMode;
import io.memguard.core.ResourceAllocator;
import io.memguard.core.Rollout;
import io.memguard.core.ScopeSnapshot;
import io.memguard.core.TaskOutcome;
import io.memguard.core.Ticker;
import io.memguard.monitor.Alert;
import io.memguard.monitor.AlertEvent;
import io.memguard.monitor.EmergencyGuard;
import io.memguard.monitor.GuardEvent;
import io.memguard.monitor.GuardStats;
import io.memguard.monitor.LeakDetector;
import io.memguard.monitor.LeakReport;
import io.memguard.monitor.LeakStatus;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MemorySnapshot;
import io.memguard.monitor.Metric;
import io.memguard.monitor.Trend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The JSON renderings of the dashboard's API; stateless. */
public final class Views {
  /** The metrics whose trends the snapshot carries. */
  public static final List<Metric> TREND_METRICS =
      List.of(Metric.LIVE_SET, Metric.HEAP_USED, Metric.RSS, Metric.RESERVED);

  private static final int DECISIONS_SHOWN = 50;
  private static final int ALERT_EVENTS_SHOWN = 200;

  private Views() {}

  /** The compact sample pushed on every snapshot (and the head of {@link #snapshot}). */
  public static void sample(Json j, MemorySnapshot s, MemoryManager manager, double emergency) {
    j.field("sequence", s.sequence())
        .field("time", s.time())
        .field("heapUsedBytes", s.heap().usedBytes())
        .field("heapCommittedBytes", s.heap().committedBytes())
        .field("heapMaxBytes", s.heap().maxBytes())
        .field("liveSetBytes", s.liveSetBytes())
        .field("rssBytes", s.rssBytes())
        .field("containerLimitBytes", s.containerLimitBytes())
        .field("containerUsageBytes", s.containerUsageBytes())
        .field("systemAvailableBytes", s.systemAvailableBytes())
        .field("budgetBytes", s.budgetBytes())
        .field("reservedBytes", s.reservedBytes())
        .field("openScopes", s.openScopes())
        .field(
            "emergencyLineBytes",
            s.heap().maxBytes() > 0 ? (long) (s.heap().maxBytes() * emergency) : -1)
        .field("emergencyFraction", emergency)
        .field("pressure", manager.pressureLevel().name())
        .field("gcOverhead", s.gcOverhead())
        .field("allocationRateBytesPerSecond", s.allocationRateBytesPerSecond())
        .field("processCpuLoad", s.processCpuLoad())
        .field("gcCount", s.gcCount());
  }

  /** The current snapshot with trends; {@code {"available":false}} before the first sample. */
  public static String snapshot(
      MemoryMonitor monitor, double emergency, Duration trendWindow, long serverStartNanos) {
    Json j = new Json().beginObject();
    var latest = monitor.latest();
    j.field("available", latest.isPresent());
    if (latest.isPresent()) {
      sample(j, latest.get(), monitor.manager(), emergency);
    }
    j.field("manager", monitor.manager().name());
    j.name("trends").beginArray();
    for (Metric m : TREND_METRICS) {
      trend(j, monitor.history().trend(m, trendWindow));
    }
    j.endArray();
    j.field("samplePeriodSeconds", monitor.config().period().toNanos() / 1e9);
    j.field("uptimeSeconds", (System.nanoTime() - serverStartNanos) / 1e9);
    return j.endObject().toString();
  }

  private static void trend(Json j, Trend t) {
    j.beginObject()
        .field("metric", t.metric())
        .field("unit", t.unit())
        .field("points", t.points())
        .field("slopePerMinute", t.slopePerMinute())
        .field("latestValue", t.latestValue())
        .field("capacity", t.capacity())
        .field("pIncreasing", t.pIncreasing());
    j.name("timeToExhaustionSeconds").seconds(t.timeToExhaustion().orElse(null));
    j.endObject();
  }

  /** The scope tree from the manager's root. */
  public static String scopes(MemoryManager manager) {
    Json j = new Json();
    scope(j, manager.snapshot());
    return j.toString();
  }

  private static void scope(Json j, ScopeSnapshot s) {
    j.beginObject()
        .field("name", s.name())
        .field("path", s.path())
        .field("limitBytes", s.limitBytes())
        .field("reservedBytes", s.reservedBytes())
        .field("peakReservedBytes", s.peakReservedBytes())
        .field("liveReservations", s.liveReservations());
    j.name("children").beginArray();
    for (ScopeSnapshot c : s.children()) {
      scope(j, c);
    }
    j.endArray().endObject();
  }

  /** The allocator: tasks holding grants, waiting, ended, their counts and batch decisions. */
  public static String tasks(ResourceAllocator allocator, Ticker ticker) {
    long now = ticker.read();
    Json j = new Json().beginObject();
    j.field("capacityBytes", allocator.capacityBytes())
        .field("grantedBytes", allocator.grantedBytes())
        .field("waiting", allocator.waitingCount())
        .field("retried", allocator.retriedCount())
        .field("paused", allocator.isPaused());
    j.name("active").beginArray();
    for (Grant g : allocator.activeGrants()) {
      j.beginObject()
          .field("task", g.taskName())
          .field("priority", g.priority())
          .field("grantedBytes", g.grantedBytes())
          .field("reservedBytes", g.isClosed() ? 0 : g.scope().reservedBytes())
          .field("sequence", g.sequence())
          .endObject();
    }
    j.endArray();
    j.name("counts").beginObject();
    for (TaskOutcome.Status st : TaskOutcome.Status.values()) {
      j.field(st.name(), allocator.endedCount(st));
    }
    j.endObject();
    j.name("ended").beginArray();
    List<EndedTask> ended = allocator.endedTasks();
    for (int i = ended.size() - 1; i >= Math.max(0, ended.size() - DECISIONS_SHOWN); i--) {
      EndedTask e = ended.get(i);
      j.beginObject()
          .field("task", e.taskName())
          .field("status", e.status().name())
          .field("detail", e.detail())
          .field("attempts", e.attempts())
          .name("seconds")
          .seconds(e.duration())
          .field("agoSeconds", (now - e.endNanoTime()) / 1e9)
          .endObject();
    }
    j.endArray();
    j.name("decisions").beginArray();
    List<BatchDecision> ds = allocator.decisions();
    for (int i = ds.size() - 1; i >= Math.max(0, ds.size() - DECISIONS_SHOWN); i--) {
      BatchDecision d = ds.get(i);
      j.beginObject()
          .field("task", d.task())
          .field("batchSize", d.batchSize())
          .field("minBatch", d.minBatch())
          .field("maxBatch", d.maxBatch())
          .field("availableBytes", d.availableBytes())
          .field("bytesPerItem", d.bytesPerItem())
          .field("fits", d.fits())
          .field("reason", d.reason())
          .field("agoSeconds", (now - d.nanoTime()) / 1e9)
          .endObject();
    }
    j.endArray();
    return j.endObject().toString();
  }

  /** Leak status and reports (newest last). */
  public static String leaks(LeakDetector detector) {
    Json j = new Json().beginObject();
    LeakStatus st = detector.status();
    j.name("status")
        .beginObject()
        .field("state", st.state().name())
        .field("since", st.since())
        .field("points", st.points())
        .field("growthBytesPerMinute", st.growthBytesPerMinute())
        .field("pValue", st.pValue())
        .field("liveSetBytes", st.liveSetBytes())
        .field("evaluatedAt", st.evaluatedAt());
    j.name("windowSeconds").seconds(st.window());
    j.endObject();
    j.name("reports").beginArray();
    for (LeakReport r : detector.reports()) {
      j.raw(r.toJson());
    }
    j.endArray();
    return j.endObject().toString();
  }

  /** Active alerts and the recent history (newest last). */
  public static String alerts(MemoryMonitor monitor) {
    Json j = new Json().beginObject();
    j.name("active").beginArray();
    for (Alert a : monitor.alerts().active()) {
      j.raw(alertJson(a));
    }
    j.endArray();
    j.name("history").beginArray();
    List<AlertEvent> h = monitor.alerts().history();
    for (int i = Math.max(0, h.size() - ALERT_EVENTS_SHOWN); i < h.size(); i++) {
      j.raw(h.get(i).toJson());
    }
    j.endArray();
    return j.endObject().toString();
  }

  /** One alert as JSON. */
  public static String alertJson(Alert a) {
    return new Json()
        .beginObject()
        .field("id", a.id())
        .field("rule", a.rule())
        .field("signal", a.signal())
        .field("severity", a.severity().name())
        .field("escalationLevel", a.escalationLevel())
        .field("value", a.value())
        .field("peakValue", a.peakValue())
        .field("threshold", a.threshold())
        .field("message", a.message())
        .field("firedAt", a.firedAt())
        .field("updatedAt", a.updatedAt())
        .field("resolvedAt", a.resolvedAt())
        .endObject()
        .toString();
  }

  /** The guard's state, counts and recent events (newest last). */
  public static String guard(@Nullable EmergencyGuard guard, List<String> recentEvents) {
    Json j = new Json().beginObject();
    j.field("enabled", guard != null);
    if (guard != null) {
      GuardStats s = guard.stats();
      j.field("level", s.level().name())
          .field("inEmergency", s.inEmergency())
          .field("emergencies", s.emergencies())
          .field("tasksStopRequested", s.tasksStopRequested())
          .field("cleanupStagesRun", s.cleanupStagesRun())
          .field("maxLiveHeapFraction", s.maxLiveHeapFraction())
          .field("samples", s.samples())
          .field("emergencyFraction", guard.config().emergency())
          .field("recoveryFraction", guard.config().recovery());
      j.name("totalTimeInEmergencySeconds").seconds(s.totalTimeInEmergency());
      j.name("lastTimeToRecoverSeconds").seconds(s.lastTimeToRecover());
    }
    j.name("events").beginArray();
    for (String e : recentEvents) {
      j.raw(e);
    }
    j.endArray();
    return j.endObject().toString();
  }

  /** One guard event as JSON. */
  public static String guardEvent(GuardEvent e) {
    Json j = new Json().beginObject();
    j.field("type", e.type().name())
        .field("level", e.level() == null ? null : e.level().name())
        .field("limit", e.limit() == null ? null : e.limit().name())
        .field("fraction", e.fraction())
        .field("message", e.message())
        .field("task", e.task())
        .field("bytesReleased", e.bytesReleased())
        .field("time", Instant.now());
    j.name("timeInEmergencySeconds").seconds(e.timeInEmergency());
    j.name("timeToRecoverSeconds").seconds(e.timeToRecover());
    return j.endObject().toString();
  }

  /** The rollout: each protection's setting and decision counts, recent decisions and switches. */
  public static String rollout(Rollout rollout) {
    Json j = new Json().beginObject();
    j.name("protections").beginArray();
    for (Protection p : Protection.values()) {
      Rollout.Setting st = rollout.setting(p);
      j.beginObject()
          .field("protection", p.name())
          .field("setting", st.toString())
          .field("mode", st.mode().name())
          .field("canaryShare", st.canaryShare())
          .field("enforced", rollout.decisionCount(p, ProtectionMode.ENFORCE))
          .field("observed", rollout.decisionCount(p, ProtectionMode.OBSERVE));
      for (ProtectionMode mode :
          new ProtectionMode[] {ProtectionMode.ENFORCE, ProtectionMode.OBSERVE}) {
        j.name(mode == ProtectionMode.ENFORCE ? "enforcedOutcomes" : "observedOutcomes")
            .beginObject();
        for (Rollout.Outcome o : p.outcomes()) {
          long n = rollout.outcomeCount(p, mode, o);
          if (n > 0) {
            j.field(o.name(), n);
          }
        }
        j.field("UNSETTLED", rollout.unsettledCount(p, mode)).endObject();
      }
      j.endObject();
    }
    j.endArray();
    j.field("rolledBack", rollout.rolledBack());
    j.name("decisions").beginArray();
    List<Rollout.Decision> ds = rollout.decisions();
    for (int i = ds.size() - 1; i >= Math.max(0, ds.size() - DECISIONS_SHOWN); i--) {
      Rollout.Decision d = ds.get(i);
      j.beginObject()
          .field("protection", d.protection().name())
          .field("mode", d.mode().name())
          .field("key", d.key())
          .field("action", d.action())
          .field("at", d.at())
          .field("outcome", d.outcome() == null ? null : d.outcome().name())
          .field("settledAt", d.settledAt())
          .endObject();
    }
    j.endArray();
    j.name("switches").beginArray();
    List<Rollout.Switch> sw = rollout.switches();
    for (int i = sw.size() - 1; i >= 0; i--) {
      j.raw(switchJson(sw.get(i)));
    }
    j.endArray();
    return j.endObject().toString();
  }

  /** One switch as JSON. */
  public static String switchJson(Rollout.Switch s) {
    return new Json()
        .beginObject()
        .field("protection", s.protection().name())
        .field("from", s.from().toString())
        .field("to", s.to().toString())
        .field("reason", s.reason())
        .field("automatic", s.automatic())
        .field("at", s.at())
        .endObject()
        .toString();
  }
}
