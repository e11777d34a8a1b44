package io.memguard.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
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
 * <p>Defaults: every protection ENFORCE for all tasks; flapping is 3 unconfirmed emergencies in 10
 * minutes. Thread-safe; reading a mode is one volatile read.
 *
 * @since 0.1.0
 */
public final class Rollout {
  private static final Logger log = LoggerFactory.getLogger(Rollout.class);
  private static final int KEPT = 256;

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
   * have; {@code key} the task (or fit) it was about, {@code action} what it did or would have.
   */
  public record Decision(
      Protection protection, ProtectionMode mode, String key, String action, Instant at) {}

  /** Told of every switch; must not block. */
  @FunctionalInterface
  public interface Listener {
    void onSwitch(Switch change);
  }

  private final String manager;
  private final Ticker ticker;
  private final Map<Protection, LongAdder[]> counts = new EnumMap<>(Protection.class);
  private final Map<Protection, ArrayDeque<Long>> emergencies = new EnumMap<>(Protection.class);
  private final ArrayDeque<Decision> decisions = new ArrayDeque<>();
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
      } catch (RuntimeException e) {
        log.warn("memguard: rollout listener {} threw; ignored", l, e);
      }
    }
  }

  /**
   * Records a decision the protection made for {@code key} in {@code mode} (ENFORCE: it acted;
   * OBSERVE: it would have): counted, and the latest 256 kept.
   */
  public void record(Protection p, ProtectionMode mode, String key, String action) {
    counts.get(p)[mode.ordinal()].increment();
    Decision d = new Decision(p, mode, key, action, Instant.now());
    synchronized (decisions) {
      if (decisions.size() == KEPT) {
        decisions.removeFirst();
      }
      decisions.addLast(d);
    }
    if (mode == ProtectionMode.OBSERVE) {
      log.info("memguard: '{}' {} (observe) would have: {} ({})", manager, p, action, key);
    }
  }

  /** Decisions the protection made in {@code mode} since the manager was built. */
  public long decisionCount(Protection p, ProtectionMode mode) {
    return counts.get(p)[mode.ordinal()].sum();
  }

  /** The latest decisions of every protection, oldest first. */
  public List<Decision> decisions() {
    synchronized (decisions) {
      return List.copyOf(decisions);
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
    return () -> listeners.remove(listener);
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
