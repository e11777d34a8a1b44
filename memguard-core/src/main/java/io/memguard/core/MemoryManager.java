package io.memguard.core;

import io.memguard.core.internal.CgroupMemory;
import io.memguard.core.internal.JfrEvents;
import io.memguard.core.internal.ResidentMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door of memguard: one instance per application (no static global), holding a byte
 * budget, the root of the {@link MemoryScope} tree, the current {@link PressureLevel}, the {@link
 * CleanupManager} and the {@link ResourceAllocator}.
 *
 * <pre>{@code
 * try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.percentOfMaxHeap(80)).build();
 *      MemoryScope scope = memory.openScope("features")) {
 *   try (Reservation r = scope.reserve(rows * 8L)) { ... }
 * }
 * }</pre>
 *
 * <p>The pressure level combines the accounting (reserved bytes against the budget) with every
 * registered {@link PressureSource}: each is mapped with the thresholds (defaults 80/90/95%) and
 * the most urgent wins. Reading it is one volatile read. All methods are thread-safe. Closing the
 * manager closes the root scope; closing twice does nothing.
 *
 * @since 0.1.0
 */
public final class MemoryManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MemoryManager.class);
  private static final String ACCOUNTING = "accounting";

  /** One reservation in this many is watched by {@link LeakDetection#SAMPLED} by default. */
  public static final int DEFAULT_LEAK_SAMPLING_INTERVAL = 128;

  /** The default live-heap line: a reservation may not take the live heap past 95% of max heap. */
  public static final double DEFAULT_LIVE_HEAP_LIMIT = 0.95;

  /**
   * The default process-memory line: a reservation may not take the process's resident memory past
   * 95% of its memory limit.
   */
  public static final double DEFAULT_PROCESS_MEMORY_LINE = 0.95;

  private final String name;
  private final long budgetBytes;
  private final double elevated;
  private final double critical;
  private final double emergency;
  private final long elevatedBytes;
  private final long criticalBytes;
  private final long emergencyBytes;
  private final LeakDetection leakDetection;
  private final int leakSamplingInterval;

  /**
   * Which reservations the Cleaner watches: -1 none, 0 every one, else a random one when {@code
   * (random & mask) == 0}. Becomes 0 after the first leak in {@link LeakDetection#SAMPLED}.
   */
  private volatile int leakWatchMask;

  private final Ticker ticker;

  /** The live-heap line in bytes (a share of max heap), or Long.MAX_VALUE without one. */
  private final long liveHeapLineBytes;

  private final double liveHeapLimit;
  private final @Nullable Supplier<LiveHeap.Reading> liveHeap;

  /** The reading as of the JVM's latest collection, asked for near the line. */
  private final @Nullable Supplier<LiveHeap.Reading> freshLiveHeap;

  /** The heap in use now, garbage included: asked for when the estimate refuses. */
  private final @Nullable LongSupplier heapUsedNow;

  /**
   * Allocates garbage until the JVM's next collection or the given bytes; whether one came. Used
   * only by a reservation that waits for memory a collection would show freed.
   */
  private final @Nullable LongPredicate provokeCollection;

  /**
   * Above this estimate (half the line) a reservation checks that no collection's reading is still
   * on its way before it counts on the one it has.
   */
  private final long liveHeapNearBytes;

  /** Max heap, or the test's stand-in for it. */
  private final long maxHeapBytes;

  /** The live heap at the last collection less the bytes reserved when this manager saw it. */
  private volatile long liveHeapBase;

  private volatile long liveHeapEpoch = -1;

  private volatile long reservedAtRebase;

  /** The process-memory line, or null without a known memory limit. */
  private final @Nullable ProcessMemoryLine processLine;

  private final CleanupManager cleanup;
  private final Rollout rollout;
  private final DefaultScope root;
  private final ResourceAllocator allocator;

  private final AtomicInteger openScopes = new AtomicInteger(1);
  private final LongAdder leaksReported = new LongAdder();
  private final LongAdder leakedBytes = new LongAdder();
  private final CopyOnWriteArrayList<ReservationLeakListener> leakListeners =
      new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<PressureListener> pressureListeners =
      new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<PressureSource> sources = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<WeakRegistry<?>> registries = new CopyOnWriteArrayList<>();

  private final Object pressureLock = new Object();
  private volatile PressureLevel level = PressureLevel.NORMAL;
  private volatile PressureLevel accountingLevel = PressureLevel.NORMAL;
  private PressureLevel sourcesLevel = PressureLevel.NORMAL;
  private String sourcesDecider = ACCOUNTING;
  private double sourcesUtilization;

  private final ReentrantLock waitLock = new ReentrantLock();
  private final Condition released = waitLock.newCondition();

  /** Pressure changes not yet delivered to every listener, in order; guarded by pressureLock. */
  private final java.util.ArrayDeque<PressureChange> undeliveredChanges =
      new java.util.ArrayDeque<>();

  /** Whether a thread (holding pressureLock) is delivering changes; guarded by pressureLock. */
  private boolean deliveringChanges;

  private final java.util.concurrent.atomic.AtomicInteger waiters =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong releases =
      new java.util.concurrent.atomic.AtomicLong();

  private static final long PRESSURE_LOG_INTERVAL = 1_000_000_000L;

  /** Guarded by pressureLock. */
  private long lastPressureInfoNanos = Long.MIN_VALUE / 2;

  private MemoryManager(Builder b) {
    this.name = b.name;
    this.budgetBytes = b.limit.toBytes();
    if (budgetBytes <= 0) {
      throw new IllegalArgumentException("budget must be > 0 bytes, got " + b.limit);
    }
    this.elevated = b.elevated;
    this.critical = b.critical;
    this.emergency = b.emergency;
    this.elevatedBytes = thresholdBytes(elevated);
    this.criticalBytes = thresholdBytes(critical);
    this.emergencyBytes = thresholdBytes(emergency);
    this.leakDetection =
        b.leakDetection != null ? b.leakDetection : LeakDetection.fromSystemProperty();
    this.leakSamplingInterval = b.leakSamplingInterval;
    this.leakWatchMask =
        switch (leakDetection) {
          case OFF -> -1;
          case SAMPLED -> leakSamplingInterval - 1;
          case SAFETY_NET, TRACK_SITES -> 0;
        };
    this.ticker = b.ticker;
    this.liveHeapLimit = b.liveHeapLimit;
    long maxHeap = b.maxHeapBytes > 0 ? b.maxHeapBytes : Runtime.getRuntime().maxMemory();
    this.maxHeapBytes = maxHeap;
    if (liveHeapLimit > 0 && maxHeap != Long.MAX_VALUE) {
      long headroom =
          b.liveHeapHeadroom >= 0 ? b.liveHeapHeadroom : defaultLiveHeapHeadroom(maxHeap);
      this.liveHeapLineBytes =
          Math.max(0, Math.min((long) (maxHeap * liveHeapLimit), maxHeap - headroom));
      if (b.liveHeap != null) {
        this.liveHeap = b.liveHeap;
        this.freshLiveHeap = b.freshLiveHeap;
        this.heapUsedNow = b.heapUsedNow;
        this.provokeCollection = b.provokeCollection;
      } else {
        LiveHeap jvm = LiveHeap.instance();
        this.liveHeap = jvm;
        this.freshLiveHeap = jvm::fresh;
        this.heapUsedNow = jvm::usedNow;
        this.provokeCollection = jvm::provokeYoungCollection;
      }
    } else {
      this.liveHeapLineBytes = Long.MAX_VALUE;
      this.liveHeap = null;
      this.freshLiveHeap = null;
      this.heapUsedNow = null;
      this.provokeCollection = null;
    }
    this.liveHeapNearBytes = liveHeapLineBytes / 2;
    this.processLine = processMemoryLine(b);
    this.cleanup = new CleanupManager(ticker, b.cleanupHistory);
    this.rollout = new Rollout(name, ticker);
    this.root = new DefaultScope(this, null, name, budgetBytes);
    this.allocator = ResourceAllocator.builder(root).build();
  }

  private @Nullable ProcessMemoryLine processMemoryLine(Builder b) {
    if (b.processMemoryLimitBytes == 0) {
      return null;
    }
    long limit = b.processMemoryLimitBytes;
    String source = "the configured process memory limit";
    double share = b.processMemoryShare;
    if (limit < 0) {
      limit = containerLimitBytes();
      if (limit <= 0) {
        return null;
      }
      source = "the container's memory limit";
      share = Math.min(share, 1 - (double) defaultProcessMemoryHeadroom(limit) / limit);
    }
    LongSupplier rss = b.processRss != null ? b.processRss : ResidentMemory::rssBytes;
    long residentNow = rss.getAsLong();
    if (residentNow < 0) {
      if (b.processMemoryLimitBytes > 0) {
        log.warn(
            "memguard: process memory limit {} set on manager '{}' but this process's resident"
                + " memory cannot be read (no /proc/self/status): no process-memory line",
            MemorySize.format(limit),
            name);
      }
      return null;
    }
    if (b.processMemoryLimitBytes < 0) {
      long outsideHeap = Math.max(0, residentNow - LiveHeap.instance().usedNow());
      if (!heapCanOutgrow(maxHeapBytes, outsideHeap, (long) (limit * share))) {
        return null;
      }
    }
    LongSupplier collections;
    if (b.processCollections != null) {
      collections = b.processCollections;
    } else {
      Supplier<LiveHeap.Reading> readings = liveHeap != null ? liveHeap : LiveHeap.instance();
      collections = () -> readings.get().epoch();
    }
    return new ProcessMemoryLine(
        limit,
        share,
        source,
        rss,
        collections,
        () -> root.reservedBytes(),
        heapGrowth(b),
        b.processYoungUsed != null ? b.processYoungUsed : LiveHeap.instance()::youngUsedNow,
        ticker);
  }

  /**
   * The bytes a container's default line keeps free under its limit whatever the share: {@code
   * min(32 MiB, limit / 8)}. What the JVM adds without reserving (collections' copies, metaspace,
   * code) is a larger part of a small container: measured, with the 95% line alone a {@code
   * -Xmx384m} JVM in a 192 MiB container was killed in 1 of 10 guard-race runs.
   */
  static long defaultProcessMemoryHeadroom(long limitBytes) {
    return Math.min(32L << 20, limitBytes / 8);
  }

  /**
   * Whether a heap of {@code maxHeap} beside {@code outsideHeap} bytes of other resident memory
   * (RSS less the heap in use when the manager was built) could pass {@code lineBytes}: only then
   * does a container's limit get a process-memory line by default. A heap that fits leaves the line
   * nothing to catch but native memory, and counting its touched free pages as growth would refuse
   * reservations that cannot pass the limit.
   */
  static boolean heapCanOutgrow(long maxHeap, long outsideHeap, long lineBytes) {
    return maxHeap == Long.MAX_VALUE || maxHeap > lineBytes - outsideHeap;
  }

  /** Max heap less the heap in use now: what the heap could still add to the resident set. */
  private LongSupplier heapGrowth(Builder b) {
    if (b.processHeapGrowth != null) {
      return b.processHeapGrowth;
    }
    if (maxHeapBytes == Long.MAX_VALUE) {
      return () -> Long.MAX_VALUE;
    }
    LiveHeap heap = LiveHeap.instance();
    return () -> maxHeapBytes - heap.usedNow();
  }

  private static long containerLimitBytes() {
    try {
      return CgroupMemory.detect().read().limitBytes();
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  private long thresholdBytes(double fraction) {
    return (long) Math.ceil(budgetBytes * fraction);
  }

  /** A builder with the defaults: 80% of max heap, thresholds 0.80/0.90/0.95. */
  public static Builder builder() {
    return new Builder();
  }

  /** A manager with all defaults. */
  public static MemoryManager ofDefaults() {
    return builder().build();
  }

  // ---- scopes ----------------------------------------------------------------------------------

  /**
   * The manager's name, which is also the root scope's name and the first element of every path.
   */
  public String name() {
    return name;
  }

  /** The root scope, whose limit is the budget. Closing it closes the manager's tree. */
  public MemoryScope rootScope() {
    return root;
  }

  /** Opens a child of the root scope without a limit of its own. */
  public MemoryScope openScope(String scopeName) {
    return root.openChild(scopeName);
  }

  /** Opens a child of the root scope with a limit. */
  public MemoryScope openScope(String scopeName, MemorySize limit) {
    return root.openChild(scopeName, limit);
  }

  /** The budget in bytes (the root scope's limit). */
  public long budgetBytes() {
    return budgetBytes;
  }

  /** Bytes reserved now in all scopes. */
  public long reservedBytes() {
    return root.reservedBytes();
  }

  /** The highest {@link #reservedBytes()} seen. */
  public long peakReservedBytes() {
    return root.peakReservedBytes();
  }

  /** Bytes of the budget not reserved now. */
  public long availableBytes() {
    return root.availableBytes();
  }

  /** Scopes open now, the root included. */
  public int openScopeCount() {
    return openScopes.get();
  }

  /** A snapshot of every open scope as a tree: who holds what, declared against allocated. */
  public ScopeSnapshot snapshot() {
    return root.snapshot();
  }

  /** Totals at this moment. */
  public MemoryStats stats() {
    return new MemoryStats(
        budgetBytes,
        reservedBytes(),
        peakReservedBytes(),
        openScopeCount(),
        leaksReported.sum(),
        leakedBytes.sum(),
        level);
  }

  /** The cleanup actions, global and per scope. */
  public CleanupManager cleanup() {
    return cleanup;
  }

  /**
   * The staged rollout of this manager's protections: each OFF, OBSERVE (shadow mode) or ENFORCE,
   * optionally for a canary share of tasks; switchable at run time.
   */
  public Rollout rollout() {
    return rollout;
  }

  /** The default allocator, sharing the whole budget between concurrent tasks. */
  public ResourceAllocator allocator() {
    return allocator;
  }

  /** How this manager looks for unreleased reservations. */
  public LeakDetection leakDetection() {
    return leakDetection;
  }

  /**
   * In {@link LeakDetection#SAMPLED}, one reservation in how many the safety net watches (a power
   * of two; 1 once a leak was reported); 1 in the modes that watch every reservation, 0 in {@link
   * LeakDetection#OFF}.
   */
  public int leakSamplingInterval() {
    int mask = leakWatchMask;
    return mask < 0 ? 0 : mask + 1;
  }

  /**
   * The live-heap line in bytes: a reservation that would take the live-heap estimate (the heap in
   * use after the last garbage collection, plus what was reserved since) past it is refused,
   * whatever the budget allows. {@code Long.MAX_VALUE} when the manager has no such line ({@link
   * Builder#noLiveHeapLimit()}).
   */
  public long liveHeapLineBytes() {
    return liveHeapLineBytes;
  }

  /**
   * The JVM's heap in use after its most recent garbage collection, in bytes, as the collectors
   * reported it (kept current by their notifications, no sampling); -1 before the first collection
   * or where the JVM reports none. Never requests a collection. Thread-safe; one volatile read
   * after the first call, which installs the JVM-wide listener (tens of milliseconds).
   */
  public static long heapUsedAfterLastCollectionBytes() {
    return LiveHeap.instance().afterLastCollection();
  }

  /**
   * The lowest heap in use after any garbage collection the JVM reported since memguard first
   * listened, in bytes; -1 before the first collection or where the JVM reports none. Unlike {@link
   * #heapUsedAfterLastCollectionBytes()}, it does not rise with old-generation garbage that a young
   * collection left behind, so a decision made on it does not depend on how much garbage the JVM
   * happens to hold; it does not rise with data that became live later either, so it is a planning
   * figure, never an admission one. Never requests a collection. Thread-safe; one volatile read
   * after the first call.
   *
   * @since 0.1.0
   */
  public static long lowestHeapAfterCollectionBytes() {
    return LiveHeap.instance().lowestAfterCollection();
  }

  /**
   * The live-heap estimate in bytes: the heap in use after the JVM's last collection plus what this
   * manager reserved since; 0 when the manager has no live-heap line.
   */
  public long liveHeapEstimateBytes() {
    return liveHeap == null ? 0 : Math.max(0, root.reservedBytes() + liveHeapBase(liveHeap.get()));
  }

  /**
   * The most bytes reservations could add now before the live-heap line refuses them, whatever the
   * budget says: the line less the larger room of the two figures a reservation is admitted on (the
   * live-heap estimate; the heap in use now plus every reserved byte). {@code Long.MAX_VALUE}
   * without a line. A figure for sizing work before reserving it; the reservation itself is checked
   * again. Thread-safe; reads the collectors' counts and the heap's usage (a few native calls).
   *
   * @since 0.1.0
   */
  public long liveHeapRoomBytes() {
    if (liveHeap == null) {
      return Long.MAX_VALUE;
    }
    long reserved = root.reservedBytes();
    long byEstimate = liveHeapLineBytes - reserved - liveHeapBase(freshLiveHeap.get());
    long byHeapNow =
        heapUsedNow == null
            ? Long.MIN_VALUE
            : liveHeapLineBytes - reserved - heapUsedNow.getAsLong();
    return Math.max(0, Math.max(byEstimate, byHeapNow));
  }

  /**
   * The bytes the live heap has below the ELEVATED threshold applied to max heap: what the
   * allocator may admit beside running tasks. {@code Long.MAX_VALUE} without a live-heap line.
   */
  long heapAdmissionRoomBytes() {
    if (liveHeap == null) {
      return Long.MAX_VALUE;
    }
    return (long) (maxHeapBytes * elevated) - liveHeapEstimateBytes();
  }

  /**
   * Whether the live heap leaves room for the root to hold {@code reservedAfter} bytes. Far from
   * the line, reads the latest collection's reading and this manager's base (three volatile reads,
   * no lock); near it, first makes sure the reading is the latest collection's. After a new
   * collection, rebases on it.
   */
  boolean liveHeapAdmits(long reservedAfter) {
    if (liveHeap == null) {
      return true;
    }
    if (reservedAfter + liveHeapBase(liveHeap.get()) <= liveHeapNearBytes) {
      return true;
    }
    if (reservedAfter + liveHeapBase(freshLiveHeap.get()) <= liveHeapLineBytes) {
      return true;
    }
    // The estimate may count memory freed since the last collection's report (G1 frees empty
    // old-generation regions at the end of a concurrent cycle without one). The heap in use now
    // bounds what is live too, garbage included; the reservations count on top of it in full,
    // allocated or not.
    return heapUsedNow != null && reservedAfter + heapUsedNow.getAsLong() <= liveHeapLineBytes;
  }

  /**
   * Whether the root may hold {@code reservedAfter} bytes beside what the heap and the process
   * already use: the live-heap line and the process-memory line both admit it.
   */
  boolean memoryAdmits(long reservedAfter) {
    return liveHeapAdmits(reservedAfter)
        && (processLine == null || processLine.admits(reservedAfter));
  }

  /**
   * The process-memory line in bytes: a reservation that would take the process's resident memory
   * (as last read, plus what it may grow by for what was reserved since, see {@link
   * Builder#processMemoryLimit}) past it is refused, whatever the budget and the heap allow. By
   * default 95% of the container's memory limit (the cgroup's) when the heap could outgrow it;
   * {@code Long.MAX_VALUE} outside a container with a limit, when the heap fits in it, where RSS
   * cannot be read, or with {@link Builder#noProcessMemoryLimit()}.
   *
   * @since 0.1.0
   */
  public long processMemoryLineBytes() {
    return processLine == null ? Long.MAX_VALUE : processLine.lineBytes();
  }

  /**
   * The most bytes reservations could add now before the process-memory line refuses them, on the
   * latest reading of RSS (no new read); {@code Long.MAX_VALUE} without a line. A figure for sizing
   * work before reserving it; the reservation itself is checked again. Thread-safe.
   *
   * @since 0.1.0
   */
  public long processMemoryRoomBytes() {
    return processLine == null ? Long.MAX_VALUE : processLine.roomBytes();
  }

  /** Whether reservations are checked against the process's resident memory. */
  boolean hasProcessMemoryLine() {
    return processLine != null;
  }

  /** After a release left the root holding {@code reservedNow} bytes. */
  void rootReleasedTo(long reservedNow) {
    if (processLine != null) {
      processLine.releasedTo(reservedNow);
    }
  }

  /** Whether the process-memory line refuses {@code reservedAfter} on its latest reading. */
  boolean processMemoryRefuses(long reservedAfter) {
    return processLine != null && processLine.refusesOnLatest(reservedAfter);
  }

  /** The refusal of a reservation that fits the budget but not the process-memory line. */
  MemoryBudgetExceededException processMemoryRefusal(String scopePath, long requested) {
    ProcessMemoryLine line = Objects.requireNonNull(processLine);
    ProcessMemoryLine.Reading r = line.latest();
    return MemoryBudgetExceededException.ofProcessMemory(
        scopePath,
        root.path(),
        requested,
        line.roomBytes(),
        line.lineBytes(),
        line.share(),
        line.limitBytes(),
        line.limitSource(),
        r.rssBytes(),
        r.youngBytes(),
        r.added(reservedBytes()),
        budgetBytes,
        maxHeapBytes);
  }

  /** The number of the JVM's latest collection, as a reservation near the line reads it. */
  long liveHeapEpochNow() {
    return freshLiveHeap == null ? -1 : freshLiveHeap.get().epoch();
  }

  /**
   * The most garbage one {@link #provokeCollection()} allocates: a quarter of max heap, at most 256
   * MiB (a young generation is rarely larger while the heap is near its line).
   */
  private long provokeBytes() {
    return Math.min(maxHeapBytes / 4, 256L << 20);
  }

  /**
   * For a reservation waiting for memory that only a collection can show freed, when none came:
   * allocates short-lived garbage until the JVM collects (its own choice of collection, never a
   * full one requested), so the next reading can show it. Returns whether a collection came.
   */
  boolean provokeCollection() {
    return provokeCollection != null && provokeCollection.test(provokeBytes());
  }

  private long liveHeapBase(LiveHeap.Reading r) {
    if (r.epoch() > liveHeapEpoch) {
      // Bytes reserved since the last rebase may have been allocated after the collection (its
      // notification comes later): subtracting them would count them nowhere, so only what was
      // reserved at both moments is taken as already in the reading. Races between threads
      // rebasing on one reading write nearly the same value. Memory released before a minor
      // collection may still be counted (old-generation garbage): discounting it was tried and let
      // a greedy task run the heap out (docs/emergency-guard.md).
      long reservedNow = root.reservedBytes();
      liveHeapBase = r.liveBytes() - Math.min(reservedNow, reservedAtRebase);
      reservedAtRebase = reservedNow;
      liveHeapEpoch = r.epoch();
    }
    return liveHeapBase;
  }

  /**
   * The bytes kept free above the line by default: {@code min(8 MiB, maxHeap / 4)}. A collector
   * needs free regions to copy into, and 5% of a small heap is a few regions: measured with G1 on a
   * 64 MiB heap, a line at 95% let 2 of 10 guard-race runs run out of memory, at 87.5% none.
   */
  static long defaultLiveHeapHeadroom(long maxHeap) {
    return Math.min(8L << 20, maxHeap / 4);
  }

  /** Whether reservations are checked against the live heap. */
  boolean hasLiveHeapLine() {
    return liveHeap != null;
  }

  /** The refusal of a reservation that fits the budget but not the live heap. */
  MemoryBudgetExceededException liveHeapRefusal(String scopePath, long requested, long waited) {
    long estimate = liveHeapEstimateBytes();
    return MemoryBudgetExceededException.ofLiveHeap(
        scopePath,
        root.path(),
        requested,
        Math.max(0, liveHeapLineBytes - estimate),
        liveHeapLineBytes,
        (double) liveHeapLineBytes / maxHeapBytes,
        estimate,
        budgetBytes,
        waited);
  }

  /** Whether the safety net watches the reservation being made now. */
  boolean watchReservation() {
    int mask = leakWatchMask;
    return mask == 0 || (mask > 0 && (ThreadLocalRandom.current().nextInt() & mask) == 0);
  }

  /** The ticker used for timings in reports and events. */
  public Ticker ticker() {
    return ticker;
  }

  // ---- pressure --------------------------------------------------------------------------------

  /** The current pressure level; a single volatile read, cheap enough for any hot path. */
  public PressureLevel pressureLevel() {
    return level;
  }

  /** The thresholds as fractions: elevated, critical, emergency. */
  public double[] pressureThresholds() {
    return new double[] {elevated, critical, emergency};
  }

  /** The level a utilization (a fraction of some limit) maps to under this manager's thresholds. */
  public PressureLevel levelFor(double utilization) {
    if (!(utilization >= elevated)) {
      return PressureLevel.NORMAL;
    }
    if (utilization >= emergency) {
      return PressureLevel.EMERGENCY;
    }
    return utilization >= critical ? PressureLevel.CRITICAL : PressureLevel.ELEVATED;
  }

  private PressureLevel levelForBytes(long reserved) {
    if (reserved < elevatedBytes) {
      return PressureLevel.NORMAL;
    }
    if (reserved >= emergencyBytes) {
      return PressureLevel.EMERGENCY;
    }
    return reserved >= criticalBytes ? PressureLevel.CRITICAL : PressureLevel.ELEVATED;
  }

  /** Registers a source; it is read on every {@link #refreshPressure()}. */
  public Registration addPressureSource(PressureSource source) {
    Objects.requireNonNull(source, "source");
    sources.add(source);
    return () -> {
      if (sources.remove(source)) {
        refreshPressure();
      }
    };
  }

  /** Tells {@code listener} of every level change from now on. */
  public Registration addPressureListener(PressureListener listener) {
    Objects.requireNonNull(listener, "listener");
    pressureListeners.add(listener);
    return Registration.once(() -> pressureListeners.remove(listener));
  }

  /**
   * Reads every source and recomputes the level, telling listeners if it changed. The monitor calls
   * this after each sample; call it yourself after changing a source of your own.
   */
  public void refreshPressure() {
    PressureLevel worst = PressureLevel.NORMAL;
    String decider = ACCOUNTING;
    double deciding = 0;
    for (PressureSource source : sources) {
      double u;
      try {
        u = source.utilization();
      } catch (RuntimeException e) {
        log.debug("memguard: pressure source '{}' failed; ignoring it this time", source.name(), e);
        continue;
      }
      if (Double.isNaN(u)) {
        continue;
      }
      PressureLevel l = levelFor(u);
      if (l.compareTo(worst) > 0 || (l == worst && u > deciding)) {
        worst = l;
        decider = source.name();
        deciding = u;
      }
    }
    synchronized (pressureLock) {
      sourcesLevel = worst;
      sourcesDecider = decider;
      sourcesUtilization = deciding;
      updateLevelLocked();
    }
  }

  /**
   * Called after every change of the root's reserved bytes; cheap unless a threshold is crossed.
   */
  void accountingChanged(long reservedNow) {
    if (levelForBytes(reservedNow) != accountingLevel) {
      synchronized (pressureLock) {
        updateLevelLocked();
      }
    }
  }

  private void updateLevelLocked() {
    PressureLevel acc;
    do {
      acc = levelForBytes(root.reservedBytes());
      accountingLevel = acc;
    } while (levelForBytes(root.reservedBytes()) != acc);
    PressureLevel combined = PressureLevel.max(acc, sourcesLevel);
    PressureLevel previous = level;
    if (combined == previous) {
      return;
    }
    level = combined;
    boolean fromSources = sourcesLevel.compareTo(acc) > 0;
    PressureChange change =
        new PressureChange(
            previous,
            combined,
            fromSources ? sourcesDecider : ACCOUNTING,
            fromSources ? sourcesUtilization : (double) root.reservedBytes() / budgetBytes,
            ticker.read());
    long now = change.nanoTime();
    if (combined.compareTo(previous) > 0 && now - lastPressureInfoNanos >= PRESSURE_LOG_INTERVAL) {
      // at most one INFO line a second: reservations at the limit flap between levels thousands
      // of times a second (measured: 3,900 lines in 15 s before this), the rest go to DEBUG
      lastPressureInfoNanos = now;
      log.info(
          "memguard: pressure {} -> {} ({} at {}%)",
          previous, combined, change.source(), Math.round(change.utilization() * 1000) / 10.0);
    } else {
      log.debug(
          "memguard: pressure {} -> {} ({} at {}%)",
          previous, combined, change.source(), Math.round(change.utilization() * 1000) / 10.0);
    }
    JfrEvents.PressureChange event = JfrEvents.recording() ? new JfrEvents.PressureChange() : null;
    if (event != null && event.shouldCommit()) {
      event.manager = name;
      event.previous = previous.name();
      event.current = combined.name();
      event.source = change.source();
      event.utilization = change.utilization();
      event.commit();
    }
    undeliveredChanges.add(change);
    if (deliveringChanges) {
      // a listener of an earlier change released or reserved and so made this one: every
      // listener hears the earlier change first, then this one
      return;
    }
    deliveringChanges = true;
    try {
      for (PressureChange next; (next = undeliveredChanges.poll()) != null; ) {
        for (PressureListener listener : pressureListeners) {
          try {
            listener.onPressureChange(next);
          } catch (Throwable e) {
            log.warn("memguard: pressure listener {} threw; ignored", listener, e);
          }
        }
      }
    } finally {
      deliveringChanges = false;
    }
  }

  // ---- leaks -----------------------------------------------------------------------------------

  /** Tells {@code listener} of every reservation leak from now on. */
  public Registration addLeakListener(ReservationLeakListener listener) {
    Objects.requireNonNull(listener, "listener");
    leakListeners.add(listener);
    return Registration.once(() -> leakListeners.remove(listener));
  }

  void reportLeak(ReservationLeak leak) {
    if (leakWatchMask > 0) {
      leakWatchMask = 0;
      log.info(
          "memguard: '{}' found a leak; its safety net now watches every reservation (was 1 in {})",
          name,
          leakSamplingInterval);
    }
    leaksReported.increment();
    leakedBytes.add(leak.bytes());
    JfrEvents.ReservationLeak event =
        JfrEvents.recording() ? new JfrEvents.ReservationLeak() : null;
    if (event != null && event.shouldCommit()) {
      event.manager = name;
      event.kind = leak.kind().name();
      event.scopePath = leak.scopePath();
      event.bytes = leak.bytes();
      event.reservations = leak.reservations();
      event.commit();
    }
    if (leak.allocationSites().isEmpty()) {
      log.warn("memguard: {}", leak.describe());
    } else {
      log.warn("memguard: {}", leak.describe(), leak.allocationSites().get(0));
    }
    for (ReservationLeakListener listener : leakListeners) {
      try {
        listener.onLeak(leak);
      } catch (Throwable e) {
        log.warn("memguard: leak listener {} threw; ignored", listener, e);
      }
    }
  }

  // ---- weak registries -------------------------------------------------------------------------

  /**
   * Creates a weak registry the manager knows of, so the monitor can watch its live count. Closing
   * the registry forgets it.
   */
  public <T> WeakRegistry<T> newWeakRegistry(String registryName) {
    WeakRegistry<T> registry = new WeakRegistry<>(registryName, () -> {});
    registries.add(registry);
    registry.onClose(() -> registries.remove(registry));
    return registry;
  }

  /** The open weak registries created through {@link #newWeakRegistry(String)}. */
  public List<WeakRegistry<?>> weakRegistries() {
    return new ArrayList<>(registries);
  }

  // ---- waiting for releases --------------------------------------------------------------------

  /**
   * A thread starts waiting for releases. No lock is held between the calls of a wait: a waiter
   * retries its reservation (which may cross a pressure threshold and run pressure listeners) with
   * no lock of the wait's, so a listener that releases memory, and so signals, cannot deadlock with
   * it.
   */
  void beginWait() {
    waiters.incrementAndGet();
  }

  void endWait() {
    waiters.decrementAndGet();
  }

  /** The number of releases signalled so far: read before a retry, passed to the wait after. */
  long releaseEpoch() {
    return releases.get();
  }

  /**
   * Waits until a release is signalled after {@code epoch} (at once if one was) or {@code nanos}
   * pass; returns the nanoseconds left.
   */
  long awaitRelease(long epoch, long nanos) throws InterruptedException {
    waitLock.lockInterruptibly();
    try {
      while (releases.get() == epoch && nanos > 0) {
        nanos = released.awaitNanos(nanos);
      }
      return nanos;
    } finally {
      waitLock.unlock();
    }
  }

  /** Threads blocked in a timed reserve now. */
  int waitingReservations() {
    return waiters.get();
  }

  /**
   * Called after bytes were released (on the release path: one volatile read when nobody waits). A
   * release that reads no waiter needs no count: a waiter registers before it reads the count and
   * retries, so its retry already sees these bytes released.
   */
  void signalReleased() {
    if (waiters.get() > 0) {
      releases.incrementAndGet();
      waitLock.lock();
      try {
        released.signalAll();
      } finally {
        waitLock.unlock();
      }
    }
  }

  void scopeOpened() {
    openScopes.incrementAndGet();
  }

  void scopeClosed() {
    openScopes.decrementAndGet();
  }

  // ---- close -----------------------------------------------------------------------------------

  /**
   * Closes the root scope (and so every scope), reporting anything still held as a leak.
   * Idempotent.
   *
   * @throws CleanupException if a cleanup action threw; everything was still closed
   */
  @Override
  public void close() {
    root.close();
  }

  @Override
  public String toString() {
    return "MemoryManager["
        + name
        + ", budget="
        + MemorySize.format(budgetBytes)
        + ", reserved="
        + MemorySize.format(reservedBytes())
        + ", "
        + level
        + "]";
  }

  /** Builds a {@link MemoryManager}. Not thread-safe; each {@link #build()} makes a new manager. */
  public static final class Builder {
    private String name = "root";
    private MemorySize limit = MemorySize.percentOfMaxHeap(80);
    private double elevated = 0.80;
    private double critical = 0.90;
    private double emergency = 0.95;
    private LeakDetection leakDetection;
    private int leakSamplingInterval = DEFAULT_LEAK_SAMPLING_INTERVAL;
    private double liveHeapLimit = DEFAULT_LIVE_HEAP_LIMIT;
    private long liveHeapHeadroom = -1;
    private long maxHeapBytes;
    private @Nullable Supplier<LiveHeap.Reading> liveHeap;
    private @Nullable Supplier<LiveHeap.Reading> freshLiveHeap;
    private @Nullable LongSupplier heapUsedNow;
    private @Nullable LongPredicate provokeCollection;
    private Ticker ticker = Ticker.system();
    private int cleanupHistory = 1000;
    private long processMemoryLimitBytes = -1;
    private double processMemoryShare = DEFAULT_PROCESS_MEMORY_LINE;
    private @Nullable LongSupplier processRss;
    private @Nullable LongSupplier processCollections;
    private @Nullable LongSupplier processHeapGrowth;
    private @Nullable LongSupplier processYoungUsed;

    private Builder() {}

    /** The root scope's name (default {@code root}); it starts every scope path. */
    public Builder name(String rootName) {
      Objects.requireNonNull(rootName, "name");
      if (rootName.isBlank() || rootName.indexOf('/') >= 0) {
        throw new IllegalArgumentException(
            "name must be non-blank without '/', got '" + rootName + "'");
      }
      this.name = rootName;
      return this;
    }

    /** The budget: bytes or a share of max heap (default 80% of max heap). */
    public Builder limit(MemorySize budget) {
      this.limit = Objects.requireNonNull(budget, "limit");
      return this;
    }

    /**
     * The pressure thresholds as fractions of the budget (or of a source's limit).
     *
     * @throws IllegalArgumentException unless {@code 0 < elevated <= critical <= emergency <= 1}
     */
    public Builder pressureThresholds(double elevatedAt, double criticalAt, double emergencyAt) {
      if (!(elevatedAt > 0
          && elevatedAt <= criticalAt
          && criticalAt <= emergencyAt
          && emergencyAt <= 1)) {
        throw new IllegalArgumentException(
            "thresholds must satisfy 0 < elevated <= critical <= emergency <= 1, got "
                + elevatedAt
                + ", "
                + criticalAt
                + ", "
                + emergencyAt);
      }
      this.elevated = elevatedAt;
      this.critical = criticalAt;
      this.emergency = emergencyAt;
      return this;
    }

    /**
     * How to look for unreleased reservations; default from {@link
     * LeakDetection#fromSystemProperty()}.
     */
    public Builder leakDetection(LeakDetection mode) {
      this.leakDetection = Objects.requireNonNull(mode, "leakDetection");
      return this;
    }

    /**
     * In {@link LeakDetection#SAMPLED}, the safety net watches one reservation in this many
     * (rounded up to a power of two; default 128, as Netty samples its buffers). 1 watches every
     * reservation, like {@link LeakDetection#SAFETY_NET}.
     *
     * @throws IllegalArgumentException unless {@code 1 <= interval <= 2^30}
     */
    public Builder leakSamplingInterval(int interval) {
      if (interval < 1 || interval > (1 << 30)) {
        throw new IllegalArgumentException(
            "leak sampling interval must be in [1, 2^30], got " + interval);
      }
      this.leakSamplingInterval = interval == 1 ? 1 : Integer.highestOneBit(interval - 1) << 1;
      return this;
    }

    /**
     * The live-heap line as a share of max heap (default 0.95): a reservation is refused when the
     * heap in use after the JVM's last garbage collection, plus what the manager reserved since,
     * plus the request would pass it, whatever the budget says. It stops a budget set larger than
     * the heap (or code that allocates without reserving) from running the JVM out of memory
     * between two samples of the monitor. The reading comes from the collectors' notifications; the
     * check costs three volatile reads per reservation.
     *
     * @throws IllegalArgumentException unless {@code 0 < fraction <= 1}
     */
    public Builder liveHeapLimit(double fractionOfMaxHeap) {
      if (!(fractionOfMaxHeap > 0 && fractionOfMaxHeap <= 1)) {
        throw new IllegalArgumentException(
            "live-heap limit must be in (0, 1], got " + fractionOfMaxHeap);
      }
      this.liveHeapLimit = fractionOfMaxHeap;
      return this;
    }

    /**
     * The bytes that stay free above the live-heap line whatever its share (default {@code min(8
     * MiB, max heap / 4)}): the line is {@code min(share x max heap, max heap - headroom)}. On
     * small heaps 5% is too few for the collector to work in: measured with G1 on a 64 MiB heap,
     * the 95% line alone let 2 of 10 guard-race runs run out of memory, with 8 MiB kept free none
     * did.
     *
     * @throws IllegalArgumentException if {@code bytes < 0}
     */
    public Builder liveHeapHeadroom(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("live-heap headroom must be >= 0, got " + bytes);
      }
      this.liveHeapHeadroom = bytes;
      return this;
    }

    /** No live-heap line: only the budget limits reservations. */
    public Builder noLiveHeapLimit() {
      this.liveHeapLimit = 0;
      return this;
    }

    /**
     * The process's memory limit, for the process-memory line (default: the memory limit of the
     * container the process runs in, read from its cgroup at build, with the line at 95% but at
     * least {@code min(32 MiB, limit / 8)} under the limit, when max heap plus the memory outside
     * the heap then passes the line; none outside a container or when the heap fits): a reservation
     * is refused when the process's resident memory as last read, plus what it may grow by for the
     * bytes reserved since and the request (each counted four times, the young generation once
     * more, at most what the heap can still grow plus the bytes once), would pass {@code share} of
     * it, whatever the budget and the heap allow; docs/emergency-guard.md says why each. It stops a
     * heap larger than its container (or reservations of native memory) from running into the
     * kernel's OOM killer between two samples of the monitor. Needs {@code /proc/self/status}
     * (Linux); elsewhere there is no line (a warning is logged). Costs three volatile loads per
     * reservation and one per release far from the line, one read of RSS (about 50 microseconds)
     * once per garbage collection and near it, at most once a millisecond.
     *
     * @param limit the limit in bytes ({@link MemorySize#ofBytes}, or a size)
     * @param share the line as a share of the limit, in (0, 1] (0.95 by default)
     * @throws IllegalArgumentException unless the limit is positive and the share in (0, 1]
     * @since 0.1.0
     */
    public Builder processMemoryLimit(MemorySize limit, double share) {
      long bytes = Objects.requireNonNull(limit, "limit").toBytes();
      if (bytes <= 0) {
        throw new IllegalArgumentException("process memory limit must be > 0, got " + limit);
      }
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException(
            "process memory line must be a share in (0, 1], got " + share);
      }
      this.processMemoryLimitBytes = bytes;
      this.processMemoryShare = share;
      return this;
    }

    /**
     * No process-memory line, even in a container with a memory limit.
     *
     * @since 0.1.0
     */
    public Builder noProcessMemoryLimit() {
      this.processMemoryLimitBytes = 0;
      return this;
    }

    /**
     * For tests: a process-memory limit with made-up RSS readings and collection counts (limit -1
     * keeps the container's).
     */
    Builder processMemoryForTesting(long limit, LongSupplier rss, LongSupplier collections) {
      return processMemoryForTesting(limit, rss, collections, () -> Long.MAX_VALUE, () -> 0);
    }

    /**
     * As above, with how much more of the heap could become resident and the young generation in
     * use.
     */
    Builder processMemoryForTesting(
        long limit,
        LongSupplier rss,
        LongSupplier collections,
        LongSupplier heapGrowth,
        LongSupplier youngUsed) {
      this.processMemoryLimitBytes = limit;
      this.processRss = rss;
      this.processCollections = collections;
      this.processHeapGrowth = heapGrowth;
      this.processYoungUsed = youngUsed;
      return this;
    }

    /** For tests: a made-up max heap and live-heap readings instead of the JVM's. */
    Builder liveHeapForTesting(long maxHeap, Supplier<LiveHeap.Reading> readings) {
      return liveHeapForTesting(maxHeap, readings, readings);
    }

    /**
     * For tests: readings as notifications deliver them, and as a reservation near the line finds
     * them when it asks the collectors itself.
     */
    Builder liveHeapForTesting(
        long maxHeap, Supplier<LiveHeap.Reading> readings, Supplier<LiveHeap.Reading> fresh) {
      this.maxHeapBytes = maxHeap;
      this.liveHeap = readings;
      this.freshLiveHeap = fresh;
      return this;
    }

    /**
     * For tests, with {@link #liveHeapForTesting}: the heap in use now, and what provoking a
     * collection does (given the most bytes it may allocate; returns whether a collection came).
     */
    Builder heapProbesForTesting(LongSupplier usedNow, LongPredicate provoke) {
      this.heapUsedNow = usedNow;
      this.provokeCollection = provoke;
      return this;
    }

    /** The time source for reports and events (default {@link Ticker#system()}). */
    public Builder ticker(Ticker nanoTicker) {
      this.ticker = Objects.requireNonNull(nanoTicker, "ticker");
      return this;
    }

    /** How many cleanup reports {@link CleanupManager#history()} keeps (default 1000). */
    public Builder cleanupHistory(int reports) {
      if (reports < 1) {
        throw new IllegalArgumentException("cleanup history must be >= 1, got " + reports);
      }
      this.cleanupHistory = reports;
      return this;
    }

    /** Builds the manager. */
    public MemoryManager build() {
      return new MemoryManager(this);
    }
  }
}
