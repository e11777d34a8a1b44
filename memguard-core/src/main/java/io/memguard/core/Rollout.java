package io.memguard.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The staged rollout of a manager's protections ({@link Protection}): each runs {@link
 * ProtectionMode#OFF}, {@link ProtectionMode#OBSERVE} (shadow mode: it decides and records what it
 * would have done, and acts on nothing) or {@link ProtectionMode#ENFORCE}, optionally for a canary
 * share of tasks only (a task's key decides, the same way every time and in every JVM; the other
 * tasks are observed). Switching is the rollback: by this API, at start by the system property
 * {@code memguard.rollout.<protection>} (e.g. {@code -Dmemguard.rollout.emergency-guard=OBSERVE} or
 * {@code =ENFORCE:0.25}), or through JMX. Every switch is logged, told to the listeners and kept
 * ({@link #switches()}).
 *
 * <p>Automatic rollback: {@link #noteEmergency} counts a protection's emergencies; when {@link
 * #flapLimit()} of them fall within {@link #flapWindow()} and none was confirmed (the measured live
 * set never reached the emergency line), the protection falls back to OBSERVE. {@link #fallBack}
 * does the same for a protection that failed. Decisions are counted per protection and mode ({@link
 * #decisionCount}), the most recent 256 kept ({@link #decisions()}).
 *
 * <p>Outcomes: what followed a decision is recorded when it is known ({@link #settle}): the task it
 * was about completed, was stopped or died of {@code OutOfMemoryError}; the emergency proved real
 * or not; the suspected leak was reported or cleared. The allocator settles task decisions when a
 * task ends, the guard its emergency decisions at recovery, the monitor its leak decisions,
 * AutoFeat its fit decisions. Counted per protection, mode and outcome ({@link #outcomeCount}): the
 * evidence for a rollout. An OBSERVE stop followed by {@link Outcome#COMPLETED} was not needed; one
 * followed by {@link Outcome#OUT_OF_MEMORY} would probably have saved the task. At most 1,024
 * decisions wait for their outcome; older ones stay unsettled ({@link #unsettledCount}).
 *
 * <p>Defaults: every protection ENFORCE for all tasks; flapping is 3 unconfirmed emergencies in 10
 * minutes. Thread-safe; reading a mode is one volatile read.
 *
 * @since 0.1.0
 */
public final class Rollout {
  private static final Logger log = LoggerFactory.getLogger(Rollout.class);
  private static final int KEPT = 256;
  private static final int MAX_UNSETTLED = 1024;
  private static final int MODES = ProtectionMode.values().length;
  private static final int OUTCOMES = Outcome.values().length;

  /** A protection's mode and, for ENFORCE, the share of task keys it enforces for (0 to 1). */
  public record Setting(ProtectionMode mode, double canaryShare) {
    /** Validates. */
    public Setting {
      Objects.requireNonNull(mode, "mode");
      if (!(canaryShare >= 0 && canaryShare <= 1)) {
        throw new IllegalArgumentException("canaryShare must be in [0, 1], got " + canaryShare);
      }
    }

    @Override
    public String toString() {
      return mode == ProtectionMode.ENFORCE && canaryShare < 1
          ? mode + ":" + canaryShare
          : mode.toString();
    }
  }

  /** A switch of a protection's setting: by whom ({@code automatic}), why and when. */
  public record Switch(
      Protection protection,
      Setting from,
      Setting to,
      String reason,
      boolean automatic,
      Instant at) {}

  /**
   * A decision a protection made: {@code mode} ENFORCE when it acted, OBSERVE when it only would
   * have; {@code key} the task (or fit) it was about, {@code action} what it did or would have;
   * {@code outcome} what followed and {@code settledAt} when it was known, both null until then.
   */
  public record Decision(
      Protection protection,
      ProtectionMode mode,
      String key,
      String action,
      Instant at,
      @Nullable Outcome outcome,
      @Nullable Instant settledAt) {}

  /** What followed a decision (see {@link #settle}). */
  public enum Outcome {
    /** The task or fit completed (after retries, if the task was stopped and queued again). */
    COMPLETED,
    /** The task was stopped and did not complete. */
    STOPPED,
    /** The task was never admitted. */
    NOT_ADMITTED,
    /** The task or fit failed for a reason other than memory. */
    FAILED,
    /** The task or fit failed because memguard refused it memory (a budget, an admission wait). */
    MEMORY_REFUSED,
    /** The task or fit died of {@code OutOfMemoryError}. */
    OUT_OF_MEMORY,
    /** The emergency was real: the measured live set reached the emergency line. */
    RISK_CONFIRMED,
    /** The emergency ended without the measured live set reaching the emergency line. */
    RISK_UNCONFIRMED,
    /** The growth that made the leak detector act (or want to) was reported as a leak. */
    LEAK_REPORTED,
    /** The suspected growth ended without a leak report. */
    LEAK_CLEARED;

    /** The outcome of a task that ended with {@code status} and {@code error}. */
    public static Outcome ofTask(TaskOutcome.Status status, @Nullable Throwable error) {
      return switch (status) {
        case COMPLETED -> COMPLETED;
        case STOPPED -> STOPPED;
        case NOT_ADMITTED -> NOT_ADMITTED;
        case FAILED -> ofFailure(error);
      };
    }

    /**
     * The outcome of a failure: {@link #OUT_OF_MEMORY} or {@link #MEMORY_REFUSED} when either is in
     * its cause chain, {@link #STOPPED} for a {@link TaskStoppedException}, else {@link #FAILED}.
     */
    public static Outcome ofFailure(@Nullable Throwable error) {
      Outcome found = FAILED;
      int depth = 0;
      for (Throwable t = error; t != null && depth < 16; t = t.getCause(), depth++) {
        if (t instanceof OutOfMemoryError) {
          return OUT_OF_MEMORY;
        }
        if (found == FAILED) {
          if (t instanceof TaskStoppedException) {
            found = STOPPED;
          } else if (t instanceof MemguardException && !(t instanceof CleanupException)) {
            found = MEMORY_REFUSED;
          }
        }
      }
      return found;
    }
  }

  /** A kept decision; its outcome is set once. */
  private static final class Entry {
    final Protection protection;
    final ProtectionMode mode;
    final String key;
    final String action;
    final Instant at;
    Outcome outcome;
    Instant settledAt;

    Entry(Protection protection, ProtectionMode mode, String key, String action, Instant at) {
      this.protection = protection;
      this.mode = mode;
      this.key = key;
      this.action = action;
      this.at = at;
    }

    Decision snapshot() {
      return new Decision(protection, mode, key, action, at, outcome, settledAt);
    }
  }

  /**
   * Told of every switch, on the switching thread; must not block. Whatever it throws is logged and
   * ignored.
   */
  @FunctionalInterface
  public interface Listener {
    void onSwitch(Switch change);
  }

  private final String manager;
  private final Ticker ticker;
  private final Map<Protection, LongAdder[]> counts = new EnumMap<>(Protection.class);
  private final Map<Protection, ArrayDeque<Long>> emergencies = new EnumMap<>(Protection.class);
  private final LongAdder[] outcomeCounts;

  /** Guards {@code decisions}, {@code unsettled}, {@code unsettledByKey} and entries' outcomes. */
  private final Object decisionLock = new Object();

  private final ArrayDeque<Entry> decisions = new ArrayDeque<>();
  private final LinkedHashSet<Entry> unsettled = new LinkedHashSet<>();
  private final HashMap<String, List<Entry>> unsettledByKey = new HashMap<>();

  /** How many decisions wait for their outcome; read without the lock for a cheap settle. */
  private volatile int unsettledSize;

  private final ArrayDeque<Switch> switches = new ArrayDeque<>();
  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();

  /** Each protection's setting by ordinal; replaced whole (copy on write) under the lock. */
  private volatile Setting[] current;

  private final boolean[] rolledBack = new boolean[Protection.values().length];
  private int flapLimit = 3;
  private Duration flapWindow = Duration.ofMinutes(10);

  Rollout(String manager, Ticker ticker) {
    this.manager = manager;
    this.ticker = ticker;
    outcomeCounts = new LongAdder[Protection.values().length * MODES * OUTCOMES];
    for (int i = 0; i < outcomeCounts.length; i++) {
      outcomeCounts[i] = new LongAdder();
    }
    Setting[] start = new Setting[Protection.values().length];
    for (Protection p : Protection.values()) {
      Setting s = fromProperty(p);
      start[p.ordinal()] = s;
      LongAdder[] c = new LongAdder[ProtectionMode.values().length];
      for (int i = 0; i < c.length; i++) {
        c[i] = new LongAdder();
      }
      counts.put(p, c);
      emergencies.put(p, new ArrayDeque<>());
      if (s.mode() != ProtectionMode.ENFORCE || s.canaryShare() < 1) {
        log.info(
            "memguard: '{}' starts {} as {} (system property memguard.rollout.{})",
            manager,
            p,
            s,
            p.propertyName());
      }
    }
    current = start;
  }

  private static Setting fromProperty(Protection p) {
    String key = "memguard.rollout." + p.propertyName();
    String v = System.getProperty(key);
    if (v == null || v.isBlank()) {
      return new Setting(ProtectionMode.ENFORCE, 1);
    }
    try {
      return parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "system property " + key + "='" + v + "': " + e.getMessage(), e);
    }
  }

  /** Parses {@code OFF}, {@code OBSERVE}, {@code ENFORCE} or {@code ENFORCE:<share>}. */
  public static Setting parse(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    int colon = t.indexOf(':');
    String mode = colon < 0 ? t : t.substring(0, colon);
    ProtectionMode m;
    try {
      m = ProtectionMode.valueOf(mode);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "expected OFF, OBSERVE, ENFORCE or ENFORCE:<share in [0, 1]>, got '" + text + "'", e);
    }
    double share = 1;
    if (colon >= 0) {
      if (m != ProtectionMode.ENFORCE) {
        throw new IllegalArgumentException("only ENFORCE takes a canary share, got '" + text + "'");
      }
      try {
        share = Double.parseDouble(t.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "the canary share must be a number, got '" + text + "'", e);
      }
    }
    return new Setting(m, share);
  }

  /** The protection's setting now. */
  public Setting setting(Protection p) {
    return current[p.ordinal()];
  }

  /** The protection's configured mode (for a canary, ENFORCE). */
  public ProtectionMode mode(Protection p) {
    return current[p.ordinal()].mode();
  }

  /**
   * The mode the protection runs in for {@code key} (a task's or fit's name): OFF and OBSERVE as
   * set; ENFORCE for keys in the canary share, OBSERVE for the others. The same key gets the same
   * answer every time, in every JVM.
   */
  public ProtectionMode modeFor(Protection p, String key) {
    Setting s = current[p.ordinal()];
    if (s.mode() != ProtectionMode.ENFORCE || s.canaryShare() >= 1) {
      return s.mode();
    }
    return inCanary(key, s.canaryShare()) ? ProtectionMode.ENFORCE : ProtectionMode.OBSERVE;
  }

  /** Whether {@code key} falls in a canary of {@code share}: a stable 64-bit hash of the key. */
  static boolean inCanary(String key, double share) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53 < share;
  }

  /** Sets the protection to {@code mode} for every task; logged and kept with {@code reason}. */
  public void set(Protection p, ProtectionMode mode, String reason) {
    set(p, new Setting(mode, 1), reason);
  }

  /** Sets the protection's mode and canary share; logged and kept with {@code reason}. */
  public void set(Protection p, Setting to, String reason) {
    change(p, to, reason, false);
  }

  /**
   * Automatic rollback: an ENFORCE protection falls back to OBSERVE (logged at WARN), for example
   * because it failed or flapped. Does nothing to a protection already OBSERVE or OFF.
   */
  public void fallBack(Protection p, String reason) {
    if (mode(p) == ProtectionMode.ENFORCE) {
      change(p, new Setting(ProtectionMode.OBSERVE, 1), reason, true);
    }
  }

  private void change(Protection p, Setting to, String reason, boolean automatic) {
    Objects.requireNonNull(p, "protection");
    Objects.requireNonNull(to, "setting");
    Objects.requireNonNull(reason, "reason");
    Switch s;
    synchronized (this) {
      Setting from = current[p.ordinal()];
      if (from.equals(to)) {
        return;
      }
      rolledBack[p.ordinal()] = automatic;
      Setting[] next = current.clone();
      next[p.ordinal()] = to;
      current = next;
      s = new Switch(p, from, to, reason, automatic, Instant.now());
      if (switches.size() == KEPT) {
        switches.removeFirst();
      }
      switches.addLast(s);
      emergencies.get(p).clear();
    }
    if (automatic) {
      log.warn("memguard: '{}' rolled {} back from {} to {}: {}", manager, p, s.from(), to, reason);
    } else {
      log.info("memguard: '{}' switched {} from {} to {}: {}", manager, p, s.from(), to, reason);
    }
    for (Listener l : listeners) {
      try {
        l.onSwitch(s);
      } catch (Throwable e) {
        log.warn("memguard: rollout listener {} threw; ignored", l, e);
      }
    }
  }

  /**
   * Records a decision the protection made for {@code key} in {@code mode} (ENFORCE: it acted;
   * OBSERVE: it would have): counted, the latest 256 kept, its outcome awaited ({@link #settle}).
   */
  public void record(Protection p, ProtectionMode mode, String key, String action) {
    Objects.requireNonNull(p, "protection");
    Objects.requireNonNull(key, "key");
    counts.get(p)[mode.ordinal()].increment();
    Entry e = new Entry(p, mode, key, Objects.requireNonNull(action, "action"), Instant.now());
    synchronized (decisionLock) {
      if (decisions.size() == KEPT) {
        decisions.removeFirst();
      }
      decisions.addLast(e);
      if (unsettled.size() == MAX_UNSETTLED) {
        Iterator<Entry> oldest = unsettled.iterator();
        Entry dropped = oldest.next();
        oldest.remove();
        List<Entry> same = unsettledByKey.get(dropped.key);
        if (same != null && same.remove(dropped) && same.isEmpty()) {
          unsettledByKey.remove(dropped.key);
        }
      }
      unsettled.add(e);
      unsettledByKey.computeIfAbsent(key, k -> new ArrayList<>(2)).add(e);
      unsettledSize = unsettled.size();
    }
    if (mode == ProtectionMode.OBSERVE) {
      log.info("memguard: '{}' {} (observe) would have: {} ({})", manager, p, action, key);
    }
  }

  /**
   * Records what followed every decision any protection made about {@code key} that has no outcome
   * yet (for example a task's end). Returns how many decisions it settled; cheap when none waits.
   */
  public int settle(String key, Outcome outcome) {
    return settle(null, key, outcome);
  }

  /**
   * Records what followed the decisions protection {@code p} made about {@code key} that have no
   * outcome yet. Returns how many it settled.
   */
  public int settle(@Nullable Protection p, String key, Outcome outcome) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(outcome, "outcome");
    if (unsettledSize == 0) {
      return 0;
    }
    int settled = 0;
    synchronized (decisionLock) {
      List<Entry> waiting = unsettledByKey.get(key);
      if (waiting == null) {
        return 0;
      }
      Instant now = Instant.now();
      for (Iterator<Entry> it = waiting.iterator(); it.hasNext(); ) {
        Entry e = it.next();
        if (p != null && e.protection != p) {
          continue;
        }
        it.remove();
        unsettled.remove(e);
        e.outcome = outcome;
        e.settledAt = now;
        outcomeCounts[index(e.protection, e.mode, outcome)].increment();
        settled++;
      }
      if (waiting.isEmpty()) {
        unsettledByKey.remove(key);
      }
      unsettledSize = unsettled.size();
    }
    return settled;
  }

  private static int index(Protection p, ProtectionMode mode, Outcome outcome) {
    return (p.ordinal() * MODES + mode.ordinal()) * OUTCOMES + outcome.ordinal();
  }

  /** Decisions the protection made in {@code mode} since the manager was built. */
  public long decisionCount(Protection p, ProtectionMode mode) {
    return counts.get(p)[mode.ordinal()].sum();
  }

  /** Decisions the protection made in {@code mode} that were followed by {@code outcome}. */
  public long outcomeCount(Protection p, ProtectionMode mode, Outcome outcome) {
    return outcomeCounts[index(p, mode, outcome)].sum();
  }

  /**
   * Decisions the protection made in {@code mode} whose outcome is not (yet) known: still waiting,
   * or dropped from the 1,024 that wait.
   */
  public long unsettledCount(Protection p, ProtectionMode mode) {
    long settled = 0;
    for (Outcome o : Outcome.values()) {
      settled += outcomeCount(p, mode, o);
    }
    return Math.max(0, decisionCount(p, mode) - settled);
  }

  /**
   * The decisions and their outcomes, one line per protection that decided anything, e.g. {@code
   * EMERGENCY_GUARD: enforced 3 (completed 2, stopped 1); observed 0}.
   */
  public String describeOutcomes() {
    StringBuilder sb = new StringBuilder();
    for (Protection p : Protection.values()) {
      long enforced = decisionCount(p, ProtectionMode.ENFORCE);
      long observed = decisionCount(p, ProtectionMode.OBSERVE);
      if (enforced + observed == 0) {
        continue;
      }
      sb.append(p).append(": enforced ").append(enforced);
      appendOutcomes(sb, p, ProtectionMode.ENFORCE);
      sb.append("; observed ").append(observed);
      appendOutcomes(sb, p, ProtectionMode.OBSERVE);
      sb.append('\n');
    }
    return sb.length() == 0 ? "no decisions" : sb.toString().stripTrailing();
  }

  private void appendOutcomes(StringBuilder sb, Protection p, ProtectionMode mode) {
    List<String> parts = new ArrayList<>();
    for (Outcome o : p.outcomes()) {
      long n = outcomeCount(p, mode, o);
      if (n > 0) {
        parts.add(o.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + n);
      }
    }
    long open = unsettledCount(p, mode);
    if (open > 0) {
      parts.add("pending " + open);
    }
    if (!parts.isEmpty()) {
      sb.append(" (").append(String.join(", ", parts)).append(')');
    }
  }

  /** The latest decisions of every protection, oldest first, with their outcomes so far. */
  public List<Decision> decisions() {
    synchronized (decisionLock) {
      List<Decision> out = new ArrayList<>(decisions.size());
      for (Entry e : decisions) {
        out.add(e.snapshot());
      }
      return out;
    }
  }

  /** The switches since the manager was built (the latest 256), oldest first. */
  public synchronized List<Switch> switches() {
    return List.copyOf(switches);
  }

  /** Tells {@code listener} of every switch from now on. */
  public Registration addListener(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return Registration.once(() -> listeners.remove(listener));
  }

  /** How many unconfirmed emergencies within {@link #flapWindow()} roll a protection back. */
  public synchronized int flapLimit() {
    return flapLimit;
  }

  /** The window of {@link #flapLimit()}. */
  public synchronized Duration flapWindow() {
    return flapWindow;
  }

  /** Sets what counts as flapping: {@code emergencies} unconfirmed ones within {@code window}. */
  public synchronized void flapping(int emergencies, Duration window) {
    if (emergencies < 1) {
      throw new IllegalArgumentException("emergencies must be >= 1, got " + emergencies);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, got " + window);
    }
    this.flapLimit = emergencies;
    this.flapWindow = window;
  }

  /**
   * Counts an emergency of the protection; {@code confirmed}: the risk was real (the measured live
   * set reached the emergency line). A confirmed emergency resets the count; {@link #flapLimit()}
   * unconfirmed ones within {@link #flapWindow()} roll an enforcing protection back to OBSERVE.
   * Returns whether it rolled back.
   */
  public boolean noteEmergency(Protection p, boolean confirmed) {
    String reason = null;
    synchronized (this) {
      ArrayDeque<Long> q = emergencies.get(p);
      if (confirmed) {
        q.clear();
        return false;
      }
      long now = ticker.read();
      q.addLast(now);
      while (!q.isEmpty() && now - q.peekFirst() > flapWindow.toNanos()) {
        q.removeFirst();
      }
      if (q.size() >= flapLimit && mode(p) == ProtectionMode.ENFORCE) {
        reason =
            String.format(
                Locale.ROOT,
                "flapping: %d emergencies within %s, none with the live set at the emergency line",
                q.size(),
                flapWindow);
      }
    }
    if (reason != null) {
      fallBack(p, reason);
      return true;
    }
    return false;
  }

  /**
   * How many protections run in the mode an automatic rollback ({@link #fallBack}, flapping) put
   * them in, until someone switches them again.
   */
  public synchronized int rolledBack() {
    int n = 0;
    for (boolean b : rolledBack) {
      if (b) {
        n++;
      }
    }
    return n;
  }

  /**
   * One line per protection, e.g. {@code EMERGENCY_GUARD=ENFORCE, AUTOFEAT_LIGHTWEIGHT=OBSERVE}.
   */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (Protection p : Protection.values()) {
      parts.add(p + "=" + setting(p));
    }
    return String.join(", ", parts);
  }
}
