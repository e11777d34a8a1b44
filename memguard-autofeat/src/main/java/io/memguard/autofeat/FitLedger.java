package io.memguard.autofeat;

import io.memguard.autofeat.internal.FitPhaseEvent;
import io.memguard.autofeat.internal.batch.Lease;
import io.memguard.core.AllocationMeter;
import io.memguard.core.MemoryBudgetExceededException;
import io.memguard.core.MemoryScope;
import io.memguard.core.Reservation;
import io.memguard.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.FlightRecorder;
import org.jspecify.annotations.Nullable;

/**
 * One fit's books: its phase scopes (one open at a time, each with an allocation meter and a peak),
 * the unit scopes that hold the engine's leases, and the decisions, phase reports and batch reports
 * that become the {@link FitReport}.
 *
 * <p>Thread-safe through the fit's lock, which every method takes: selection runs on several
 * threads reserve, resize and close leases at once.
 */
final class FitLedger {

  /** What a lease that cannot grow throws: the fit's overflow for its phase. */
  @FunctionalInterface
  interface Overflow {
    RuntimeException of(long needed, long available, String what, Throwable cause);
  }

  private final Object lock;
  private final MemoryScope fitScope;
  private final Ticker ticker;
  private final FitListeners listener;
  private final Overflow overflow;

  private final List<String> decisions = new ArrayList<>();
  private final List<PhaseReport> phases = new ArrayList<>();
  private final List<BatchReport> batches = new ArrayList<>();

  private @Nullable FitPhase phase;
  private @Nullable MemoryScope phaseScope;
  private @Nullable AllocationMeter phaseMeter;
  private long phaseStart;
  private long phasePeak;
  private int phaseBatches;

  /** Open unit scopes by name, with the number of live leases in each. */
  private final Map<String, Unit> units = new HashMap<>();

  private final List<FitLease> leases = new ArrayList<>();

  /** A scope holding the leases of one unit of work, closed with its last lease. */
  private static final class Unit {
    final MemoryScope scope;
    int leases;

    Unit(MemoryScope scope) {
      this.scope = scope;
    }
  }

  FitLedger(
      Object lock, MemoryScope fitScope, Ticker ticker, FitListeners listener, Overflow overflow) {
    this.lock = lock;
    this.fitScope = fitScope;
    this.ticker = ticker;
    this.listener = listener;
    this.overflow = overflow;
  }

  /** The phase in progress, or null between phases. */
  @Nullable FitPhase phase() {
    synchronized (lock) {
      return phase;
    }
  }

  List<String> decisions() {
    return decisions;
  }

  List<PhaseReport> phases() {
    return phases;
  }

  List<BatchReport> batches() {
    return batches;
  }

  void decide(String decision) {
    synchronized (lock) {
      decisions.add(decision);
    }
  }

  /** Opens {@code next}'s scope; the phase before it must have ended. */
  /** The Flight Recorder event of the phase in progress; guarded by the lock. */
  private @Nullable FitPhaseEvent phaseEvent;

  void startPhase(FitPhase next) {
    synchronized (lock) {
      phase = next;
      MemoryScope scope = fitScope.openChild(next.name().toLowerCase(Locale.ROOT));
      phaseScope = scope;
      phaseMeter = scope.meterAllocations();
      phaseStart = ticker.read();
      phasePeak = fitScope.reservedBytes();
      phaseBatches = 0;
      // a new event class initialises JFR's metadata (~0.1 s in a cold JVM); only worth it when
      // a recording can see the event
      phaseEvent = FlightRecorder.isInitialized() ? new FitPhaseEvent() : null;
      if (phaseEvent != null) {
        phaseEvent.begin();
      }
    }
  }

  /** Reports the phase in progress (with its last batch, if given) and closes its scope. */
  void endPhase(@Nullable BatchReport lastBatch) {
    synchronized (lock) {
      FitPhase ending = phase;
      MemoryScope scope = phaseScope;
      if (ending == null || scope == null) {
        return;
      }
      if (lastBatch != null) {
        addBatch(lastBatch);
      }
      notePeak();
      if (phaseMeter != null) {
        phaseMeter.close();
        phaseMeter = null;
      }
      phases.add(
          new PhaseReport(
              ending,
              Duration.ofNanos(ticker.read() - phaseStart),
              phasePeak,
              phaseBatches,
              Math.max(0, scope.allocatedBytes())));
      FitPhaseEvent event = phaseEvent;
      phaseEvent = null;
      if (event != null && event.shouldCommit()) {
        event.fit = fitScope.path();
        event.phase = ending.name();
        event.peakReservedBytes = phasePeak;
        event.allocatedBytes = scope.allocatedBytes();
        event.batches = phaseBatches;
        event.commit();
      }
      phaseScope = null;
      phase = null;
      scope.close();
    }
  }

  void addBatch(BatchReport report) {
    synchronized (lock) {
      batches.add(report);
      phaseBatches++;
      notePeak();
    }
    listener.batch(report);
  }

  /** Meters a worker thread's allocations into the phase in progress (or the fit). */
  AutoCloseable meterThread() {
    synchronized (lock) {
      MemoryScope scope = phaseScope != null ? phaseScope : fitScope;
      return scope.meterAllocations();
    }
  }

  void notePeak() {
    synchronized (lock) {
      phasePeak = Math.max(phasePeak, fitScope.reservedBytes());
    }
  }

  /**
   * Reserves {@code bytes} for the engine in the unit scope named by {@code what}'s text before its
   * first ':' (the column store and the search rows live for the whole fit, other units in the
   * phase in progress).
   */
  Lease reserve(String what, long bytes, boolean pilot) {
    synchronized (lock) {
      String key = unitName(what, pilot);
      MemoryScope scope = openUnit(key);
      Reservation r;
      try {
        r = scope.reserve(bytes);
      } catch (MemoryBudgetExceededException e) {
        releaseUnit(key);
        throw overflow.of(bytes, e.availableBytes(), what, e);
      }
      FitLease lease = new FitLease(key, what, r);
      leases.add(lease);
      notePeak();
      return lease;
    }
  }

  /** Closes every open lease (a failure or a restart: the engine's memory is gone). */
  void closeLeases() {
    synchronized (lock) {
      for (FitLease lease : new ArrayList<>(leases)) {
        lease.close();
      }
      for (Unit u : new ArrayList<>(units.values())) {
        u.scope.close();
      }
      units.clear();
    }
  }

  private static String unitName(String what, boolean pilot) {
    int colon = what.indexOf(':');
    String head = (colon < 0 ? what : what.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(head.length());
    for (int i = 0; i < head.length(); i++) {
      char c = head.charAt(i);
      boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (word) {
        sb.append(c);
      } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '-') {
        sb.append('-');
      }
    }
    String name = sb.toString();
    if (pilot && name.equals("column-store")) {
      return "pilot-store";
    }
    return name.isEmpty() ? "work" : name;
  }

  private MemoryScope openUnit(String key) {
    Unit u = units.get(key);
    if (u == null) {
      boolean fitWide = key.equals("column-store") || key.equals("search-rows");
      MemoryScope parentScope = fitWide || phaseScope == null ? fitScope : phaseScope;
      u = new Unit(parentScope.openChild(key));
      units.put(key, u);
    }
    u.leases++;
    return u.scope;
  }

  private void releaseUnit(String key) {
    Unit u = units.get(key);
    if (u != null && --u.leases == 0) {
      units.remove(key);
      u.scope.close();
    }
  }

  /** A lease: one reservation in a unit scope. */
  private final class FitLease implements Lease {
    private final String key;
    private final String what;
    private final Reservation reservation;
    private boolean closed;

    FitLease(String key, String what, Reservation reservation) {
      this.key = key;
      this.what = what;
      this.reservation = reservation;
    }

    @Override
    public long bytes() {
      synchronized (lock) {
        return closed ? 0 : reservation.bytes();
      }
    }

    @Override
    public void resize(long bytes) {
      MemoryBudgetExceededException refused = resizeOrRefusal(bytes);
      if (refused != null) {
        throw overflow.of(bytes - bytes(), refused.availableBytes(), what, refused);
      }
    }

    @Override
    public boolean tryResize(long bytes) {
      return resizeOrRefusal(bytes) == null;
    }

    /** Resizes the reservation; returns the budget's refusal (nothing changed) or null. */
    private MemoryBudgetExceededException resizeOrRefusal(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
      }
      synchronized (lock) {
        if (closed) {
          throw new IllegalStateException("lease '" + what + "' is closed");
        }
        long now = reservation.bytes();
        if (bytes > now) {
          try {
            reservation.grow(bytes - now);
          } catch (MemoryBudgetExceededException e) {
            return e;
          }
        } else if (bytes < now) {
          reservation.shrink(now - bytes);
        }
        notePeak();
        return null;
      }
    }

    @Override
    public void close() {
      synchronized (lock) {
        if (closed) {
          return;
        }
        closed = true;
        reservation.close();
        leases.remove(this);
        releaseUnit(key);
      }
    }
  }
}
