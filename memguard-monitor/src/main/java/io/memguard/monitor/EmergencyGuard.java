package io.memguard.monitor;

import io.memguard.core.CleanupReport;
import io.memguard.core.CleanupStage;
import io.memguard.core.Grant;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureLevel;
import io.memguard.core.PressureSource;
import io.memguard.core.Protection;
import io.memguard.core.ProtectionMode;
import io.memguard.core.Registration;
import io.memguard.core.ResourceAllocator;
import io.memguard.core.Rollout;
import io.memguard.core.Ticker;
import io.memguard.core.internal.YoungCollection;
import io.memguard.monitor.internal.JfrEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protects the process when memory runs out: at EMERGENCY (by default 95% of max heap measured on
 * the live set after GC, 95% of the container or system memory for RSS, or less than 5% of system
 * memory available) it
 *
 * <ol>
 *   <li>pauses admission of new work below a priority (admitted work goes on);
 *   <li>asks running tasks to stop at their next safe point, lowest priority first and, among
 *       equals, the one holding the most memory, through their grant's {@link
 *       io.memguard.core.CancellationToken}. On the heap it plans: it stops the fewest tasks after
 *       which the live set, without what they hold, plus what the remaining tasks were granted and
 *       have not used yet, fits under the recovery threshold, so the remaining tasks can finish.
 *       What stopped tasks held counts as released from then on, even though a young collection may
 *       go on reporting it until the old generation is collected. When the reservations do not
 *       explain the live set it stops one task at a time and measures the effect first. When the
 *       limit is RSS or system memory it stops every task it may stop (up to {@code
 *       maxStopsPerEvaluation}): memory a stopped task frees stays committed to the JVM, so the
 *       footprint stops growing only when all growth stops;
 *   <li>runs cleanup stages in order (caches, pools, intermediates, models), one per evaluation, so
 *       each stage's effect shows in the next sample;
 * </ol>
 *
 * and when every limit is back under its recovery threshold (hysteresis) it resumes admission,
 * which admits paused work in priority order. It never requests a collection through the JVM's API,
 * never interrupts or kills a thread: tasks stop themselves and release their scopes. Its one way
 * to bring a collection is for a wait with no reading: when it holds work back and the live set
 * stays over recovery with no new collection for two projection horizons, it allocates throwaway
 * arrays until the collector runs by its own choice (at most once per that period; never in shadow
 * mode).
 *
 * <p><b>Garbage is not an emergency.</b> Heap in use counts garbage that the next young GC frees,
 * so it only ever raises an early warning (ELEVATED); so does an allocation rate whose surviving
 * share would take the live set to the emergency line within the projection horizon. Emergencies
 * are judged on what survives a GC.
 *
 * <p>Feed it samples with {@link #evaluate(GuardSample)}: the {@link MemoryMonitor} does so after
 * each sample, tests do with made-up samples. While in an emergency it also reports itself to the
 * {@link MemoryManager} as a {@link PressureSource} named {@code emergency-guard}, so code that
 * reads {@link MemoryManager#pressureLevel()} sees EMERGENCY. Thread-safe; evaluations are
 * serialised. Closing it resumes admission and unregisters it; closing twice does nothing.
 *
 * @since 0.1.0
 */
public final class EmergencyGuard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmergencyGuard.class);

  /**
   * The keys of the guard's rollout decisions that concern no single task (prefixed so that no
   * task's name settles them).
   */
  private static final String ADMISSION_KEY = "guard:admission";

  private static final String CLEANUP_KEY = "guard:cleanup";

  private final MemoryManager memory;

  /** The largest measured live set of the emergency in progress (for the rollout's flapping). */
  private double episodeMaxLive = Double.NaN;

  /** The limit that brought the present emergency (NONE outside one). */
  private GuardLimit episodeLimit = GuardLimit.NONE;

  /** This emergency's pause of admission (not in shadow mode), or null. */
  private Registration admissionPause;

  private final ResourceAllocator allocator;
  private final GuardConfig config;
  private final Ticker ticker;
  private final long heapMaxBytes;
  private final CopyOnWriteArrayList<GuardListener> listeners = new CopyOnWriteArrayList<>();
  private final Registration sourceRegistration;

  private volatile PressureLevel level = PressureLevel.NORMAL;
  private volatile boolean inEmergency;
  private boolean atEmergency;
  private long enteredAt;
  private long atEmergencySince;
  private long emergencies;
  private long stopsRequested;
  private long stagesRun;
  private double maxLive;
  private long totalInEmergency;
  private long episodeAtEmergency;
  private Duration lastTimeToRecover;
  private long samples;
  private int nextStage;
  private double previousLive = Double.NaN;
  private long previousLiveAt;
  private double previousRss = Double.NaN;
  private long previousRssAt;
  private double lastMeasuredLive = Double.NaN;
  private double usedAtPreviousSample = Double.NaN;
  private double survival;
  private long gcEpoch;
  private long epochOfLastStop = -1;
  private final List<Grant> lastVictims = new ArrayList<>();
  private long lastVictimsClosedEpoch = -1;
  private long pendingRelease;
  private long lastStopAt;
  private boolean closed;

  /** When the measured live set last changed (a collection's reading), guard's ticker. */
  private long liveChangedAt;

  private long lastProvokedAt;
  private long collectionsProvoked;

  /** Provokes the JVM's next collection, allocating at most the given bytes. */
  private final LongPredicate provokeCollection;

  private EmergencyGuard(
      MemoryManager memory,
      ResourceAllocator allocator,
      GuardConfig config,
      Ticker ticker,
      long heapMaxBytes,
      LongPredicate provokeCollection) {
    this.heapMaxBytes = heapMaxBytes;
    this.provokeCollection = provokeCollection;
    this.memory = memory;
    this.allocator = allocator;
    this.config = config;
    this.ticker = ticker;
    this.sourceRegistration =
        memory.addPressureSource(
            new PressureSource() {
              @Override
              public String name() {
                return "emergency-guard";
              }

              @Override
              public double utilization() {
                return inEmergency ? 1.0 : Double.NaN;
              }
            });
  }

  /** A guard over {@code memory} and its default allocator, with the default thresholds. */
  public static EmergencyGuard of(MemoryManager memory) {
    return builder(memory).build();
  }

  /** A builder for a guard over {@code memory}. */
  public static Builder builder(MemoryManager memory) {
    return new Builder(memory);
  }

  /** Hears every event from now on; close the registration to stop. */
  public Registration addListener(GuardListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return Registration.once(() -> listeners.remove(listener));
  }

  /** The guard's level now. */
  public PressureLevel level() {
    return level;
  }

  /** True from entering an emergency until recovery. */
  public boolean inEmergency() {
    return inEmergency;
  }

  /** The configuration. */
  public GuardConfig config() {
    return config;
  }

  /** Totals so far. */
  public synchronized GuardStats stats() {
    long total = totalInEmergency + (atEmergency ? ticker.read() - atEmergencySince : 0);
    return new GuardStats(
        level,
        inEmergency,
        emergencies,
        stopsRequested,
        stagesRun,
        maxLive,
        Duration.ofNanos(total),
        lastTimeToRecover,
        samples);
  }

  /**
   * Judges one sample and acts on it. Never throws into the caller: a failure inside is logged.
   *
   * @return the level after the sample
   */
  public synchronized PressureLevel evaluate(GuardSample sample) {
    Objects.requireNonNull(sample, "sample");
    if (closed) {
      return level;
    }
    try {
      evaluateLocked(sample);
    } catch (RuntimeException | Error e) {
      log.warn("memguard: emergency guard failed to evaluate a sample; it keeps going", e);
    }
    return level;
  }

  private record Reading(PressureLevel level, GuardLimit limit, double fraction, double projected) {
    Reading(PressureLevel level, GuardLimit limit, double fraction) {
      this(level, limit, fraction, Double.NaN);
    }
  }

  private void evaluateLocked(GuardSample s) {
    samples++;
    if (s.liveHeapFraction() > maxLive) {
      maxLive = s.liveHeapFraction(); // the measured live set, not the estimate
    }
    if (inEmergency && s.liveHeapFraction() > episodeMaxLive) {
      episodeMaxLive = s.liveHeapFraction();
    }
    long now = s.nanoTime();
    if (pendingRelease > 0 && now - lastStopAt > pendingReleaseExpiryNanos()) {
      pendingRelease = 0; // never seen in a measurement: assume it did not happen
    }
    if (inEmergency && Double.isNaN(fraction(s, episodeLimit))) {
      // the figure that brought the emergency is unknown in this sample (a sampler that failed
      // once, a cgroup file not read): no news, not a recovery
      return;
    }
    double live = estimateLive(s);
    Reading worst = worse(worstReading(s, live), projectedLive(live, now));

    if (!inEmergency) {
      if (worst.level == PressureLevel.EMERGENCY) {
        enterEmergency(worst, now);
        act(worst, now);
      } else if (worst.level != level) {
        PressureLevel previous = level;
        level = worst.level;
        emit(
            GuardEvent.Type.LEVEL_CHANGED,
            worst,
            now,
            null,
            null,
            null,
            0,
            String.format(
                Locale.ROOT,
                "memory pressure %s -> %s: %s",
                previous,
                worst.level,
                describe(worst)));
      }
      return;
    }

    if (worst.level == PressureLevel.EMERGENCY) {
      if (!atEmergency) {
        atEmergency = true;
        atEmergencySince = now;
      }
      level = PressureLevel.EMERGENCY;
      act(worst, now);
      return;
    }
    if (atEmergency) {
      atEmergency = false;
      long spent = now - atEmergencySince;
      totalInEmergency += spent;
      episodeAtEmergency += spent;
      level = worst.level;
      emit(
          GuardEvent.Type.EMERGENCY_LEFT,
          worst,
          now,
          Duration.ofNanos(spent),
          null,
          null,
          0,
          String.format(
              Locale.ROOT,
              "below the emergency threshold after %d ms (%s); waiting for recovery below %.0f%%",
              spent / 1_000_000,
              describe(worst),
              config.recovery() * 100));
    }
    level = worst.level;
    if (recovered(s)) {
      recover(worst, now);
    } else {
      provokeStaleCollection(s, now);
    }
  }

  /**
   * Waiting for recovery with the live set over the recovery threshold and no new reading for
   * {@link #effectWaitNanos()}: the tasks are stopped or held back, so nothing may allocate and no
   * collection comes to show what they released. Then the guard brings the next collection ({@link
   * YoungCollection}: throwaway arrays, the collector's own choice of collection), at most once per
   * that period. Not while RSS or system memory holds recovery back: new young-generation pages
   * would only add to the footprint. Not in shadow mode either: only a guard that paused admission
   * holds work back.
   */
  private void provokeStaleCollection(GuardSample s, long now) {
    boolean heapHoldsBack =
        admissionPause != null
            && !below(s.liveHeapFraction(), config.recovery())
            && below(s.rssFraction(), config.recovery())
            && (Double.isNaN(s.systemAvailableFraction())
                || s.systemAvailableFraction() > config.systemAvailableRecovery());
    long after = effectWaitNanos();
    if (!heapHoldsBack || now - liveChangedAt < after || now - lastProvokedAt < after) {
      return;
    }
    lastProvokedAt = now;
    collectionsProvoked++;
    boolean came = provokeCollection.test(Math.min(heapMaxBytes / 4, 256L << 20));
    log.debug(
        "memguard guard: no collection for {} ms while waiting for recovery; provoked one: {}",
        (now - liveChangedAt) / 1_000_000,
        came);
  }

  /**
   * How long an action is given to show in a reading (a stop's memory freed, a collection come):
   * two projection horizons, at least 1 s (also with projection off).
   */
  private long effectWaitNanos() {
    return Math.max(2 * config.projectionHorizon().toNanos(), 1_000_000_000L);
  }

  /** How many times the guard brought a collection that nothing else would have (see docs). */
  public synchronized long collectionsProvoked() {
    return collectionsProvoked;
  }

  /**
   * The live set now: what the last GC left, plus the part of what was allocated since that is
   * expected to survive. Between two collections nothing is freed, so heap used minus the last live
   * set is what was allocated since; the share of it that survived the last collection is learned
   * from the two latest collections. A garbage-heavy workload learns a share near 0 (heap used does
   * not count), a workload that keeps what it allocates learns a share near 1 (heap used counts).
   */
  private double estimateLive(GuardSample s) {
    double live = s.liveHeapFraction();
    double used = s.heapUsedFraction();
    if (!Double.isNaN(live)) {
      if (live != lastMeasuredLive) {
        if (live < lastMeasuredLive) {
          pendingRelease =
              Math.max(0, pendingRelease - (long) ((lastMeasuredLive - live) * heapMaxBytes));
        }
        // A live set that fell says that something was freed (a task stopped, a cache cleared), not
        // that nothing survives: only growth teaches the share, smoothed over collections.
        if (!Double.isNaN(lastMeasuredLive)
            && usedAtPreviousSample > lastMeasuredLive
            && live >= lastMeasuredLive) {
          double share =
              Math.min(1, (live - lastMeasuredLive) / (usedAtPreviousSample - lastMeasuredLive));
          survival = survival == 0 ? share : 0.5 * survival + 0.5 * share;
        }
        lastMeasuredLive = live;
        gcEpoch++;
        liveChangedAt = s.nanoTime();
      }
    }
    usedAtPreviousSample = used;
    if (Double.isNaN(live)) {
      return live;
    }
    return Double.isNaN(used) || used <= live ? live : live + (used - live) * survival;
  }

  private Reading worstReading(GuardSample s, double live) {
    Reading worst = new Reading(PressureLevel.NORMAL, GuardLimit.NONE, Double.NaN);
    worst = worse(worst, new Reading(levelOf(live), GuardLimit.HEAP_LIVE, live));
    worst = worse(worst, new Reading(levelOf(s.rssFraction()), GuardLimit.RSS, s.rssFraction()));
    worst = worse(worst, projectedRss(s.rssFraction(), s.nanoTime()));
    double available = s.systemAvailableFraction();
    worst =
        worse(worst, new Reading(systemLevelOf(available), GuardLimit.SYSTEM_AVAILABLE, available));
    // Heap in use includes garbage: at most an early warning, never an emergency by itself.
    if (s.heapUsedFraction() >= config.emergency() && worst.level == PressureLevel.NORMAL) {
      worst = new Reading(PressureLevel.ELEVATED, GuardLimit.HEAP_USED, s.heapUsedFraction());
    }
    // So is the allocation rate: the part of it that survives is how fast the live set grows.
    double growing = liveWithinHorizon(s, live);
    if (worst.level == PressureLevel.NORMAL && growing >= config.emergency()) {
      worst = new Reading(PressureLevel.ELEVATED, GuardLimit.HEAP_LIVE, live, growing);
    }
    return worst;
  }

  /**
   * The live set after another horizon of allocation at the current rate, of which the learned
   * share survives; NaN when the rate or the share is unknown.
   */
  private double liveWithinHorizon(GuardSample s, double live) {
    double rate = s.allocationRateBytesPerSecond();
    if (Double.isNaN(live) || !(rate > 0) || survival <= 0) {
      return Double.NaN;
    }
    return live + rate * survival * config.projectionHorizon().toNanos() / 1e9 / heapMaxBytes;
  }

  /**
   * A live set at ELEVATED or above that grew since the previous sample is projected forward: if it
   * would reach the emergency threshold within the horizon, act now. Tasks stopped at 95% hand
   * their memory back only when the old generation is next collected, so waiting for 95% is too
   * late to keep the live set under it.
   */
  private Reading projectedLive(double live, long now) {
    Reading r = projected(GuardLimit.HEAP_LIVE, live, previousLive, previousLiveAt, now);
    if (!Double.isNaN(live)) {
      previousLive = live;
      previousLiveAt = now;
    }
    return r;
  }

  /**
   * EMERGENCY when {@code current}, at ELEVATED or above and higher than {@code before}, would
   * reach the emergency threshold within the horizon at the rate it rose since; NORMAL otherwise.
   */
  private Reading projected(
      GuardLimit limit, double current, double before, long beforeAt, long now) {
    long horizon = config.projectionHorizon().toNanos();
    if (horizon == 0
        || Double.isNaN(current)
        || Double.isNaN(before)
        || now <= beforeAt
        || current <= before
        || current < config.elevated()) {
      return new Reading(PressureLevel.NORMAL, GuardLimit.NONE, Double.NaN);
    }
    // the rise is taken over a tenth of the horizon at least: the monitor's extra samples right
    // after a collection can come milliseconds after a periodic one, and a small step in an
    // estimate over a few milliseconds would project far past the line
    long over = Math.max(now - beforeAt, horizon / 10);
    double projected = current + (current - before) / over * horizon;
    return projected >= config.emergency()
        ? new Reading(PressureLevel.EMERGENCY, limit, current, projected)
        : new Reading(PressureLevel.NORMAL, GuardLimit.NONE, Double.NaN);
  }

  /**
   * RSS at ELEVATED or above that grew since the previous sample is projected forward as the live
   * set is: a JVM commits heap faster than a period (measured in a 320 MiB cgroup with -Xmx512m:
   * from 82% to past the limit in three 100 ms samples), and past the limit the kernel kills the
   * process without a word.
   */
  private Reading projectedRss(double rss, long now) {
    Reading r = projected(GuardLimit.RSS, rss, previousRss, previousRssAt, now);
    if (!Double.isNaN(rss)) {
      previousRss = rss;
      previousRssAt = now;
    }
    return r;
  }

  private static Reading worse(Reading a, Reading b) {
    return b.level.compareTo(a.level) > 0 ? b : a;
  }

  private PressureLevel levelOf(double fraction) {
    if (!(fraction >= config.elevated())) {
      return PressureLevel.NORMAL;
    }
    if (fraction >= config.emergency()) {
      return PressureLevel.EMERGENCY;
    }
    return fraction >= config.critical() ? PressureLevel.CRITICAL : PressureLevel.ELEVATED;
  }

  private PressureLevel systemLevelOf(double available) {
    if (Double.isNaN(available) || available >= 2 * config.systemAvailableRecovery()) {
      return PressureLevel.NORMAL;
    }
    if (available < config.systemAvailableEmergency()) {
      return PressureLevel.EMERGENCY;
    }
    return available < config.systemAvailableRecovery()
        ? PressureLevel.CRITICAL
        : PressureLevel.ELEVATED;
  }

  private static double fraction(GuardSample s, GuardLimit limit) {
    return switch (limit) {
      case HEAP_LIVE -> s.liveHeapFraction();
      case HEAP_USED -> s.heapUsedFraction();
      case RSS -> s.rssFraction();
      case SYSTEM_AVAILABLE -> s.systemAvailableFraction();
      case NONE -> 0;
    };
  }

  private boolean recovered(GuardSample s) {
    return below(s.liveHeapFraction(), config.recovery())
        && below(s.rssFraction(), config.recovery())
        && (Double.isNaN(s.systemAvailableFraction())
            || s.systemAvailableFraction() > config.systemAvailableRecovery());
  }

  private static boolean below(double fraction, double threshold) {
    return Double.isNaN(fraction) || fraction < threshold;
  }

  private void enterEmergency(Reading worst, long now) {
    inEmergency = true;
    atEmergency = true;
    episodeLimit = worst.limit;
    enteredAt = now;
    atEmergencySince = now;
    emergencies++;
    nextStage = 0;
    episodeAtEmergency = 0;
    level = PressureLevel.EMERGENCY;
    String reason = "memory emergency: " + describe(worst);
    episodeMaxLive = lastMeasuredLive;
    ProtectionMode mode = rollout().modeFor(Protection.EMERGENCY_GUARD, ADMISSION_KEY);
    if (mode == ProtectionMode.ENFORCE) {
      if (admissionPause == null) {
        admissionPause = allocator.holdPause(config.pauseBelowPriority(), reason);
      }
    }
    if (mode != ProtectionMode.OFF) {
      rollout()
          .record(Protection.EMERGENCY_GUARD, mode, ADMISSION_KEY, "pause admission: " + reason);
    }
    emit(
        GuardEvent.Type.EMERGENCY_ENTERED,
        worst,
        now,
        null,
        null,
        null,
        0,
        reason
            + "; admission paused"
            + (config.pauseBelowPriority() == Integer.MAX_VALUE
                ? ""
                : " below priority " + config.pauseBelowPriority()));
    memory.refreshPressure();
  }

  private void act(Reading worst, long now) {
    if (rollout().mode(Protection.EMERGENCY_GUARD) == ProtectionMode.OFF) {
      return;
    }
    try {
      stopTasks(worst, now);
      runNextCleanupStage(worst, now);
    } catch (RuntimeException e) {
      // a protection that fails falls back to shadow mode rather than fail what it protects
      log.error("memguard guard: acting on the emergency failed; falling back to OBSERVE", e);
      rollout().fallBack(Protection.EMERGENCY_GUARD, "the guard failed while acting: " + e);
    }
  }

  private Rollout rollout() {
    return memory.rollout();
  }

  private void stopTasks(Reading worst, long now) {
    // What a stopped task held is freed only after it reached its safe point and a collection ran
    // since: wait for both before planning again, unless the wait exceeds twice the horizon (at
    // least 1 s, also with projection off) or the measured live set is over the emergency line on
    // a new collection.
    if (!lastVictims.isEmpty()
        && !stoppedVictimsFreed()
        && now - lastStopAt < effectWaitNanos()
        && !(lastMeasuredLive >= config.emergency() && epochOfLastStop != gcEpoch)) {
      return;
    }
    List<Grant> candidates = new ArrayList<>();
    long unstoppableDemand = 0;
    for (Grant g : allocator.activeGrants()) {
      if (g.cancellation().isCancelled()) {
        continue;
      }
      if (g.priority() < config.stopBelowPriority()) {
        candidates.add(g);
      } else {
        unstoppableDemand += unusedGrant(g);
      }
    }
    if (candidates.isEmpty()) {
      return;
    }
    candidates.sort(
        Comparator.comparingInt(Grant::priority)
            .thenComparing(
                Comparator.comparingLong((Grant g) -> g.scope().reservedBytes()).reversed())
            .thenComparing(Comparator.comparingLong(Grant::sequence).reversed()));
    List<Grant> victims = planVictims(worst, candidates, unstoppableDemand);
    lastVictims.clear();
    lastVictimsClosedEpoch = -1;
    for (Grant victim : victims) {
      long held = victim.scope().reservedBytes();
      String reason =
          "stopped by the emergency guard: "
              + describe(worst)
              + "; "
              + (victims.size() == 1
                  ? "it had the lowest priority (" + victim.priority() + ")"
                  : "one of "
                      + victims.size()
                      + " tasks stopped, lowest priority and largest first, so that the others"
                      + " can finish (this one: priority "
                      + victim.priority()
                      + ")")
              + " and held "
              + MemorySize.format(held);
      ProtectionMode mode = rollout().modeFor(Protection.EMERGENCY_GUARD, victim.taskName());
      rollout()
          .record(
              Protection.EMERGENCY_GUARD,
              mode,
              victim.taskName(),
              "stop task '" + victim.taskName() + "': " + reason);
      if (mode != ProtectionMode.ENFORCE) {
        continue;
      }
      if (victim.cancellation().cancel(reason)) {
        stopsRequested++;
        pendingRelease += held;
        epochOfLastStop = gcEpoch;
        lastVictims.add(victim);
        lastStopAt = now;
        emit(
            GuardEvent.Type.TASK_STOP_REQUESTED,
            worst,
            now,
            null,
            null,
            victim.taskName(),
            held,
            "asked task '"
                + victim.taskName()
                + "' to stop at its next safe point (priority "
                + victim.priority()
                + ", holding "
                + MemorySize.format(held)
                + ")");
      }
    }
  }

  /**
   * Chooses whom to stop, in the candidates' order. On the heap, when the tasks' reservations
   * explain the live set, it stops the fewest tasks after which the live set (without what they
   * hold and what earlier victims released but no collection has shown yet) plus what the remaining
   * tasks were granted and have not used yet fits under the recovery threshold: those tasks can
   * then finish. On RSS or system memory it stops every candidate at once (freed heap is not
   * returned to the system, so only stopping all growth keeps the process under the limit). When
   * the reservations do not explain the live set it stops one task and measures the effect before
   * stopping another.
   */
  private List<Grant> planVictims(Reading worst, List<Grant> candidates, long unstoppableDemand) {
    int allowed = Math.min(config.maxStopsPerEvaluation(), candidates.size());
    if (allowed == 0) {
      return List.of();
    }
    if (worst.limit == GuardLimit.RSS || worst.limit == GuardLimit.SYSTEM_AVAILABLE) {
      // What a stopped task frees stays committed to the JVM: the process's footprint stops
      // growing only when every task that grows it has stopped (measured: stopping one of four
      // tasks at 96% of a cgroup's limit, the others took the process past it within 150 ms).
      return List.copyOf(candidates.subList(0, allowed));
    }
    if (worst.limit != GuardLimit.HEAP_LIVE) {
      return List.of(candidates.get(0));
    }
    long live = (long) (worst.fraction * heapMaxBytes) - pendingRelease;
    long target = (long) (config.recovery() * heapMaxBytes);
    long demand = unstoppableDemand;
    long heldByAll = 0;
    for (Grant g : candidates) {
      demand += unusedGrant(g);
      heldByAll += g.scope().reservedBytes();
    }
    // over the line, or heading past it (a projection): stop at least one task even when the live
    // set and the grants fit under recovery now, or growth the grants do not explain (memory
    // allocated without a reservation) reaches the line between two samples
    boolean overEmergency =
        live >= (long) (config.emergency() * heapMaxBytes) || !Double.isNaN(worst.projected);
    if (live - heldByAll + unstoppableDemand > target) {
      return List.of(candidates.get(0)); // the reservations do not explain the live set
    }
    List<Grant> victims = new ArrayList<>();
    for (Grant g : candidates) {
      boolean fits = live + demand <= target;
      if (victims.size() == allowed || (fits && !(overEmergency && victims.isEmpty()))) {
        break;
      }
      victims.add(g);
      live -= g.scope().reservedBytes();
      demand -= unusedGrant(g);
    }
    return victims;
  }

  /** What a grant allows its task to reserve on top of what it holds, at most the whole heap. */
  private long unusedGrant(Grant g) {
    return Math.min(heapMaxBytes, Math.max(0, g.grantedBytes() - g.scope().reservedBytes()));
  }

  /** True once the last victims all closed their grants and a collection ran after that. */
  private boolean stoppedVictimsFreed() {
    for (Grant victim : lastVictims) {
      if (!victim.isClosed()) {
        return false;
      }
    }
    if (lastVictimsClosedEpoch < 0) {
      lastVictimsClosedEpoch = gcEpoch;
      return false;
    }
    return gcEpoch > lastVictimsClosedEpoch;
  }

  private void runNextCleanupStage(Reading worst, long now) {
    TreeSet<CleanupStage> stages = new TreeSet<>();
    memory.cleanup().registered().forEach(r -> stages.add(r.stage()));
    List<CleanupStage> ordered = new ArrayList<>(stages);
    if (nextStage >= ordered.size()) {
      return;
    }
    CleanupStage stage = ordered.get(nextStage++);
    ProtectionMode mode = rollout().modeFor(Protection.EMERGENCY_GUARD, CLEANUP_KEY);
    rollout()
        .record(Protection.EMERGENCY_GUARD, mode, CLEANUP_KEY, "run cleanup stage " + stage.name());
    if (mode != ProtectionMode.ENFORCE) {
      return;
    }
    long before = memory.reservedBytes();
    CleanupReport run = memory.cleanup().runStage(stage);
    stagesRun++;
    long accounted = before - memory.reservedBytes();
    emit(
        GuardEvent.Type.CLEANUP_STAGE,
        worst,
        now,
        null,
        null,
        null,
        run.bytesReleased(),
        String.format(
            Locale.ROOT,
            "cleanup stage '%s' ran %d action(s) in %d ms: they reported %s released, "
                + "accounted reservations fell by %s, %d failed",
            stage.name(),
            run.runs().size(),
            run.duration().toMillis(),
            MemorySize.format(run.bytesReleased()),
            MemorySize.format(Math.max(0, accounted)),
            run.failures().size()));
  }

  private long pendingReleaseExpiryNanos() {
    return Math.max(10 * config.projectionHorizon().toNanos(), 5_000_000_000L);
  }

  private void recover(Reading worst, long now) {
    inEmergency = false;
    episodeLimit = GuardLimit.NONE;
    Duration toRecover = Duration.ofNanos(now - enteredAt);
    lastTimeToRecover = toRecover;
    level = worst.level;
    if (admissionPause != null) {
      admissionPause.close();
      admissionPause = null;
    }
    boolean confirmed = episodeMaxLive >= config.emergency();
    rollout().noteEmergency(Protection.EMERGENCY_GUARD, confirmed);
    Rollout.Outcome risk =
        confirmed ? Rollout.Outcome.RISK_CONFIRMED : Rollout.Outcome.RISK_UNCONFIRMED;
    rollout().settle(Protection.EMERGENCY_GUARD, ADMISSION_KEY, risk);
    rollout().settle(Protection.EMERGENCY_GUARD, CLEANUP_KEY, risk);
    emit(
        GuardEvent.Type.RECOVERED,
        worst,
        now,
        Duration.ofNanos(episodeAtEmergency),
        toRecover,
        null,
        0,
        String.format(
            Locale.ROOT,
            "recovered %d ms after the emergency began; admission resumed (%s)",
            toRecover.toMillis(),
            describe(worst)));
    memory.refreshPressure();
  }

  private static String describe(Reading r) {
    if (r.limit == GuardLimit.NONE) {
      return "all limits normal";
    }
    String what =
        switch (r.limit) {
          case HEAP_LIVE -> "heap live set at %.1f%% of max heap";
          case HEAP_USED ->
              "heap in use at %.1f%% of max heap (garbage included; early warning only)";
          case RSS -> "process RSS at %.1f%% of the memory limit";
          case SYSTEM_AVAILABLE -> "system memory available down to %.1f%%";
          default -> "%.1f%%";
        };
    String text = String.format(Locale.ROOT, what, r.fraction * 100);
    if (Double.isNaN(r.projected)) {
      return text;
    }
    return text
        + String.format(
            Locale.ROOT,
            r.level == PressureLevel.ELEVATED
                ? " and allocating what survives: %.1f%% within the horizon (early warning)"
                : " and rising: projected %.1f%% within the horizon",
            r.projected * 100);
  }

  private void emit(
      GuardEvent.Type type,
      Reading r,
      long now,
      Duration inEmergencyFor,
      Duration toRecover,
      String task,
      long bytes,
      String message) {
    GuardEvent event =
        new GuardEvent(
            type, level, r.limit, r.fraction, message, now, inEmergencyFor, toRecover, task, bytes);
    switch (type) {
      case EMERGENCY_ENTERED, TASK_STOP_REQUESTED -> log.warn("memguard guard: {}", message);
      case RECOVERED, EMERGENCY_LEFT, CLEANUP_STAGE -> log.info("memguard guard: {}", message);
      default -> log.debug("memguard guard: {}", message);
    }
    JfrEvents.Guard jfr = JfrEvents.recording() ? new JfrEvents.Guard() : null;
    if (jfr != null && jfr.shouldCommit()) {
      jfr.type = type.name();
      jfr.level = level.name();
      jfr.limit = r.limit == null ? null : r.limit.name();
      jfr.fraction = r.fraction;
      jfr.task = task;
      jfr.bytesReleased = bytes;
      jfr.timeInEmergencyNanos = inEmergencyFor == null ? 0 : inEmergencyFor.toNanos();
      jfr.message = message;
      jfr.commit();
    }
    for (GuardListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (Throwable e) { // runs on the sampler's thread: nothing may stop it
        log.warn("memguard: guard listener threw; ignored", e);
      }
    }
  }

  /** Resumes admission if it paused it, and unregisters from the manager. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (admissionPause != null) {
      admissionPause.close();
      admissionPause = null;
    }
    inEmergency = false;
    sourceRegistration.close();
    listeners.clear();
  }

  /** Builds an {@link EmergencyGuard}. Not thread-safe. */
  public static final class Builder {
    private final MemoryManager memory;
    private ResourceAllocator allocator;
    private GuardConfig config = GuardConfig.ofDefaults();
    private Ticker ticker;
    private long heapMaxBytes;

    private LongPredicate provokeCollection = YoungCollection::provoke;

    private Builder(MemoryManager memory) {
      this.memory = Objects.requireNonNull(memory, "memory");
    }

    /** The allocator whose admission it pauses and whose tasks it stops; default the manager's. */
    public Builder allocator(ResourceAllocator resourceAllocator) {
      this.allocator = Objects.requireNonNull(resourceAllocator, "allocator");
      return this;
    }

    /** The thresholds; default {@link GuardConfig#ofDefaults()}. */
    public Builder config(GuardConfig guardConfig) {
      this.config = Objects.requireNonNull(guardConfig, "config");
      return this;
    }

    /** The time source for stats; default the manager's ticker. */
    public Builder ticker(Ticker nanoTicker) {
      this.ticker = Objects.requireNonNull(nanoTicker, "ticker");
      return this;
    }

    /**
     * The heap the live-set fractions are of, used to judge how many tasks to stop; default this
     * JVM's max heap.
     */
    public Builder heapMaxBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("heapMaxBytes must be > 0, got " + bytes);
      }
      this.heapMaxBytes = bytes;
      return this;
    }

    /** For tests: what provoking a collection does (default {@link YoungCollection#provoke}). */
    Builder provokeCollectionForTesting(LongPredicate provoke) {
      this.provokeCollection = Objects.requireNonNull(provoke, "provoke");
      return this;
    }

    /** Builds the guard. */
    public EmergencyGuard build() {
      return new EmergencyGuard(
          memory,
          allocator != null ? allocator : memory.allocator(),
          config,
          ticker != null ? ticker : memory.ticker(),
          heapMaxBytes > 0 ? heapMaxBytes : MemorySize.maxHeapBytes(),
          provokeCollection);
    }
  }
}
