package io.memguard.dashboard.internal;

import io.memguard.autofeat.FitListener;
import io.memguard.autofeat.FitProgress;
import io.memguard.autofeat.FitReport;
import io.memguard.autofeat.LightweightEvent;
import io.memguard.core.Ticker;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AutoFeat fits as the dashboard shows them: those in progress (phase, step, batch, plan) and the
 * most recent finished ones. Fed by the listeners it hands out; each listener's callbacks update
 * one fit's row and append a {@code fit} event (progress at most every 250 ms per fit).
 * Thread-safe.
 */
public final class FitBoard {
  private static final int FINISHED_KEPT = 50;
  private static final long PROGRESS_EVENT_NANOS = 250_000_000L;

  private final EventLog events;
  private final Ticker ticker;
  private final Map<Long, Fit> active = new LinkedHashMap<>();
  private final ArrayDeque<Fit> finished = new ArrayDeque<>();
  private long nextId = 1;
  private long started;
  private long completed;
  private long failed;
  private long lightweight;

  public FitBoard(EventLog events, Ticker ticker) {
    this.events = events;
    this.ticker = ticker;
  }

  /** One fit's row; guarded by the board. */
  private static final class Fit {
    final long id;
    final String name;
    final Instant startedAt;
    String phase = "PLAN";
    int step;
    int steps;
    int batch;
    int batches;
    double percent;
    String plan = "";
    boolean lightweight;
    String lightweightReason;
    Instant endedAt;
    String outcome = "running";
    String detail;
    int features = -1;
    long peakReservedBytes = -1;
    double seconds = Double.NaN;
    long lastProgressEvent;

    Fit(long id, String name, Instant startedAt) {
      this.id = id;
      this.name = name;
      this.startedAt = startedAt;
    }
  }

  /** A listener for one fit; the fit appears as running at once. */
  public FitListener listener(String name) {
    Fit fit;
    synchronized (this) {
      fit = new Fit(nextId++, name, Instant.now());
      active.put(fit.id, fit);
      started++;
    }
    publish(fit);
    return new FitListener() {
      @Override
      public void onProgress(FitProgress p) {
        boolean publish;
        synchronized (FitBoard.this) {
          boolean phaseChanged = !p.phase().name().equals(fit.phase);
          fit.phase = p.phase().name();
          fit.step = p.step();
          fit.steps = p.steps();
          fit.batch = p.batch();
          fit.batches = p.batches();
          fit.percent = p.percent();
          long now = ticker.read();
          publish = phaseChanged || now - fit.lastProgressEvent >= PROGRESS_EVENT_NANOS;
          if (publish) {
            fit.lastProgressEvent = now;
          }
        }
        if (publish) {
          publish(fit);
        }
      }

      @Override
      public void onLightweight(LightweightEvent e) {
        synchronized (FitBoard.this) {
          if (!fit.lightweight) {
            lightweight++;
          }
          fit.lightweight = true;
          fit.lightweightReason = e.reason();
          fit.plan = e.plan().describe();
        }
        publish(fit);
      }

      @Override
      public void onFinished(FitReport report) {
        end(fit, report, "completed", null);
      }

      @Override
      public void onFailed(FitReport partial, RuntimeException failure) {
        end(
            fit,
            partial,
            "failed",
            failure.getClass().getSimpleName() + ": " + failure.getMessage());
      }
    };
  }

  private void end(Fit fit, FitReport report, String outcome, String detail) {
    synchronized (this) {
      if (active.remove(fit.id) == null) {
        return;
      }
      fit.endedAt = Instant.now();
      fit.outcome = outcome;
      fit.detail = detail;
      if (report != null) {
        if (report.plan() != null) {
          fit.plan = report.plan().describe();
        }
        fit.lightweight = report.lightweight();
        fit.lightweightReason = report.lightweightReason();
        fit.features = report.featuresSelected();
        fit.peakReservedBytes = report.peakReservedBytes();
        fit.seconds = report.seconds();
      }
      fit.percent = "completed".equals(outcome) ? 100 : fit.percent;
      if ("completed".equals(outcome)) {
        completed++;
      } else {
        failed++;
      }
      if (finished.size() == FINISHED_KEPT) {
        finished.removeFirst();
      }
      finished.addLast(fit);
    }
    publish(fit);
  }

  private void publish(Fit fit) {
    Json j = new Json();
    synchronized (this) {
      write(j, fit);
    }
    events.append("fit", j.toString());
  }

  /** Counts: started, running, completed, failed, lightweight. */
  public synchronized long[] counts() {
    return new long[] {started, active.size(), completed, failed, lightweight};
  }

  /** {@code {"active":[...],"finished":[...],"started":..,...}}, newest finished last. */
  public synchronized void writeTo(Json j) {
    j.beginObject();
    j.name("active").beginArray();
    for (Fit f : active.values()) {
      write(j, f);
    }
    j.endArray();
    j.name("finished").beginArray();
    for (Fit f : new ArrayList<>(finished)) {
      write(j, f);
    }
    j.endArray();
    j.field("started", started)
        .field("running", active.size())
        .field("completed", completed)
        .field("failed", failed)
        .field("lightweight", lightweight);
    j.endObject();
  }

  /** Fits in progress, for the metrics. */
  public synchronized List<String> activePhases() {
    List<String> out = new ArrayList<>();
    for (Fit f : active.values()) {
      out.add(f.phase);
    }
    return out;
  }

  private static void write(Json j, Fit f) {
    j.beginObject()
        .field("id", f.id)
        .field("name", f.name)
        .field("outcome", f.outcome)
        .field("phase", f.phase)
        .field("step", f.step)
        .field("steps", f.steps)
        .field("batch", f.batch)
        .field("batches", f.batches)
        .field("percent", f.percent)
        .field("plan", f.plan)
        .field("lightweight", f.lightweight)
        .field("lightweightReason", f.lightweightReason)
        .field("startedAt", f.startedAt)
        .field("endedAt", f.endedAt)
        .field("seconds", f.seconds)
        .field("features", f.features)
        .field("peakReservedBytes", f.peakReservedBytes)
        .field("detail", f.detail)
        .endObject();
  }
}
