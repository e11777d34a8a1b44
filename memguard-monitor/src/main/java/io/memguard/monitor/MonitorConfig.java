package io.memguard.monitor;

import io.memguard.core.Ticker;
import io.memguard.monitor.internal.Dispatcher;
import io.memguard.monitor.internal.HistogramSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * How a {@link MemoryMonitor} samples, remembers, detects and alerts. Immutable; build with {@link
 * #builder()} or take {@link #ofDefaults()}.
 *
 * <p>Memory the monitor keeps is bounded by {@link #historySize()} snapshots (about 1.5 KiB each),
 * {@link #aggregateMinutes()} minutes of aggregates (about 30 bytes per metric per minute) and
 * {@link #alertHistorySize()} alert events.
 *
 * @since 0.1.0
 */
public final class MonitorConfig {
  /** The shortest sampling period accepted. */
  public static final Duration MIN_PERIOD = Duration.ofMillis(10);

  private final Duration period;
  private final int historySize;
  private final int aggregateMinutes;
  private final List<Metric> aggregated;
  private final Sampler sampler;
  private final Path cgroupRoot;
  private final boolean oshi;
  private final Duration osRefresh;
  private final LeakDetectorConfig leakDetector;
  private final boolean feedPressure;
  private final boolean emergencyGuard;
  private final GuardConfig guard;
  private final boolean logAlerts;
  private final boolean defaultAlertRules;
  private final int alertHistorySize;
  private final int notificationQueueSize;
  private final Ticker ticker;
  private final Clock clock;
  // Test seams, package-private on purpose: not part of the API.
  final HistogramSource histogramSource;
  final boolean histogramSourceSet;
  final Function<String, Dispatcher> dispatchers;

  private MonitorConfig(Builder b) {
    period = b.period;
    historySize = b.historySize;
    aggregateMinutes = b.aggregateMinutes;
    aggregated = List.copyOf(b.aggregated);
    sampler = b.sampler;
    cgroupRoot = b.cgroupRoot;
    oshi = b.oshi;
    osRefresh = b.osRefresh;
    leakDetector = b.leakDetector;
    feedPressure = b.feedPressure;
    emergencyGuard = b.emergencyGuard;
    guard = b.guard;
    logAlerts = b.logAlerts;
    defaultAlertRules = b.defaultAlertRules;
    alertHistorySize = b.alertHistorySize;
    notificationQueueSize = b.notificationQueueSize;
    ticker = b.ticker;
    clock = b.clock;
    histogramSource = b.histogramSource;
    histogramSourceSet = b.histogramSourceSet;
    dispatchers = b.dispatchers;
  }

  /**
   * The defaults: 1 s period, 900 snapshots, 24 h of minute aggregates, JVM sampler, leak detection
   * on.
   */
  public static MonitorConfig ofDefaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from {@code base}'s settings. */
  public static Builder from(MonitorConfig base) {
    Objects.requireNonNull(base, "base");
    Builder b = new Builder();
    b.aggregated.addAll(base.aggregated);
    b.period = base.period;
    b.historySize = base.historySize;
    b.aggregateMinutes = base.aggregateMinutes;
    b.sampler = base.sampler;
    b.cgroupRoot = base.cgroupRoot;
    b.oshi = base.oshi;
    b.osRefresh = base.osRefresh;
    b.leakDetector = base.leakDetector;
    b.feedPressure = base.feedPressure;
    b.emergencyGuard = base.emergencyGuard;
    b.guard = base.guard;
    b.logAlerts = base.logAlerts;
    b.defaultAlertRules = base.defaultAlertRules;
    b.alertHistorySize = base.alertHistorySize;
    b.notificationQueueSize = base.notificationQueueSize;
    b.ticker = base.ticker;
    b.clock = base.clock;
    b.histogramSource = base.histogramSource;
    b.histogramSourceSet = base.histogramSourceSet;
    b.dispatchers = base.dispatchers;
    return b;
  }

  /** The sampling period (default 1 s, at least {@link #MIN_PERIOD}). */
  public Duration period() {
    return period;
  }

  /** Snapshots kept at full resolution (default 900). */
  public int historySize() {
    return historySize;
  }

  /** Minutes of per-minute aggregates kept (default 1440, one day). */
  public int aggregateMinutes() {
    return aggregateMinutes;
  }

  /** Metrics aggregated per minute besides {@link Metric#standard()}. */
  public List<Metric> aggregated() {
    return aggregated;
  }

  /** The sampler; null means the built-in JVM sampler. */
  public Sampler sampler() {
    return sampler;
  }

  /** Where the cgroup file system is mounted (default {@code /sys/fs/cgroup}). */
  public Path cgroupRoot() {
    return cgroupRoot;
  }

  /**
   * Whether the JVM sampler reads the process's resident set size and the host's memory (through
   * OSHI; default true). Without them, RSS, system and host figures are absent from snapshots.
   */
  public boolean samplesRssAndHostMemory() {
    return oshi;
  }

  /**
   * How often the JVM sampler re-reads process, host and container memory (OSHI and the cgroup
   * files), which cost more than all MXBeans together; snapshots in between repeat the last
   * reading. Default 1 s; zero reads them every sample. While the last reading put the process's
   * RSS or the container's usage at half its limit or more, every sample reads them whatever this
   * says: near a limit, memory is committed faster than a refresh period.
   */
  public Duration osRefresh() {
    return osRefresh;
  }

  /** The leak detector's configuration. */
  public LeakDetectorConfig leakDetector() {
    return leakDetector;
  }

  /** Whether the monitor registers its pressure sources with the MemoryManager (default true). */
  public boolean feedPressure() {
    return feedPressure;
  }

  /**
   * The thresholds of the {@link EmergencyGuard} the monitor runs over its manager and feeds every
   * sample (default {@link GuardConfig#ofDefaults()}), or empty when it runs none ({@link
   * Builder#noEmergencyGuard()}).
   */
  public Optional<GuardConfig> emergencyGuard() {
    return emergencyGuard ? Optional.of(guard) : Optional.empty();
  }

  /** Whether alerts are logged through SLF4J (default true). */
  public boolean logAlerts() {
    return logAlerts;
  }

  /** Whether the default alert rules are installed (default true; see {@link MemoryMonitor}). */
  public boolean defaultAlertRules() {
    return defaultAlertRules;
  }

  /** Alert events kept in the history (default 1000). */
  public int alertHistorySize() {
    return alertHistorySize;
  }

  /**
   * Capacity of each notification queue: snapshots, leak reports, each alert channel (default 256).
   */
  public int notificationQueueSize() {
    return notificationQueueSize;
  }

  /** The monotonic clock (default system). */
  public Ticker ticker() {
    return ticker;
  }

  /** The wall clock that stamps snapshots (default system UTC). */
  public Clock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "MonitorConfig{period="
        + period
        + ", historySize="
        + historySize
        + ", aggregateMinutes="
        + aggregateMinutes
        + ", sampler="
        + (sampler == null ? "jvm" : sampler.getClass().getName())
        + ", cgroupRoot="
        + cgroupRoot
        + ", oshi="
        + oshi
        + ", osRefresh="
        + osRefresh
        + ", feedPressure="
        + feedPressure
        + ", emergencyGuard="
        + emergencyGuard
        + ", logAlerts="
        + logAlerts
        + ", defaultAlertRules="
        + defaultAlertRules
        + ", "
        + leakDetector
        + "}";
  }

  /** Builds a {@link MonitorConfig}; validated by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private Duration period = Duration.ofSeconds(1);
    private int historySize = 900;
    private int aggregateMinutes = 1440;
    private final List<Metric> aggregated = new ArrayList<>();
    private Sampler sampler;
    private Path cgroupRoot = Path.of("/sys/fs/cgroup");
    private boolean oshi = true;
    private Duration osRefresh = Duration.ofSeconds(1);
    private LeakDetectorConfig leakDetector = LeakDetectorConfig.ofDefaults();
    private boolean feedPressure = true;
    private boolean emergencyGuard = true;
    private GuardConfig guard = GuardConfig.ofDefaults();
    private boolean logAlerts = true;
    private boolean defaultAlertRules = true;
    private int alertHistorySize = 1000;
    private int notificationQueueSize = 256;
    private Ticker ticker = Ticker.system();
    private Clock clock = Clock.systemUTC();
    private HistogramSource histogramSource;
    private boolean histogramSourceSet;
    private Function<String, Dispatcher> dispatchers;

    private Builder() {}

    /** See {@link MonitorConfig#period()}. */
    public Builder period(Duration period) {
      this.period = Objects.requireNonNull(period, "period");
      return this;
    }

    /** See {@link MonitorConfig#historySize()}. */
    public Builder historySize(int snapshots) {
      historySize = snapshots;
      return this;
    }

    /** See {@link MonitorConfig#aggregateMinutes()}. */
    public Builder aggregateMinutes(int minutes) {
      aggregateMinutes = minutes;
      return this;
    }

    /** Also keep per-minute aggregates of {@code metric}. */
    public Builder aggregate(Metric metric) {
      aggregated.add(Objects.requireNonNull(metric, "metric"));
      return this;
    }

    /** Use this sampler instead of the JVM sampler (e.g. a fake in tests). */
    public Builder sampler(Sampler sampler) {
      this.sampler = Objects.requireNonNull(sampler, "sampler");
      return this;
    }

    /** See {@link MonitorConfig#cgroupRoot()}. */
    public Builder cgroupRoot(Path root) {
      cgroupRoot = Objects.requireNonNull(root, "cgroupRoot");
      return this;
    }

    /** See {@link MonitorConfig#samplesRssAndHostMemory()}. */
    public Builder sampleRssAndHostMemory(boolean enabled) {
      oshi = enabled;
      return this;
    }

    /** See {@link MonitorConfig#osRefresh()}. */
    public Builder osRefresh(Duration interval) {
      osRefresh = Objects.requireNonNull(interval, "osRefresh");
      return this;
    }

    /** See {@link MonitorConfig#leakDetector()}. */
    public Builder leakDetector(LeakDetectorConfig config) {
      leakDetector = Objects.requireNonNull(config, "leakDetector");
      return this;
    }

    /** See {@link MonitorConfig#feedPressure()}. */
    public Builder feedPressure(boolean enabled) {
      feedPressure = enabled;
      return this;
    }

    /**
     * Runs the emergency guard with these thresholds; see {@link MonitorConfig#emergencyGuard()}.
     */
    public Builder emergencyGuard(GuardConfig thresholds) {
      guard = Objects.requireNonNull(thresholds, "thresholds");
      emergencyGuard = true;
      return this;
    }

    /** Runs no emergency guard; see {@link MonitorConfig#emergencyGuard()}. */
    public Builder noEmergencyGuard() {
      emergencyGuard = false;
      return this;
    }

    /** See {@link MonitorConfig#logAlerts()}. */
    public Builder logAlerts(boolean enabled) {
      logAlerts = enabled;
      return this;
    }

    /** See {@link MonitorConfig#defaultAlertRules()}. */
    public Builder defaultAlertRules(boolean enabled) {
      defaultAlertRules = enabled;
      return this;
    }

    /** See {@link MonitorConfig#alertHistorySize()}. */
    public Builder alertHistorySize(int events) {
      alertHistorySize = events;
      return this;
    }

    /** See {@link MonitorConfig#notificationQueueSize()}. */
    public Builder notificationQueueSize(int capacity) {
      notificationQueueSize = capacity;
      return this;
    }

    /** See {@link MonitorConfig#ticker()}. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** See {@link MonitorConfig#clock()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Test seam: the class histogram source (null: none available). */
    Builder histogramSource(HistogramSource v) {
      histogramSource = v;
      histogramSourceSet = true;
      return this;
    }

    /** Test seam: how notification dispatchers are made (e.g. {@link Dispatcher#direct}). */
    Builder dispatchers(Function<String, Dispatcher> v) {
      dispatchers = v;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the first value out of range
     */
    public MonitorConfig build() {
      if (period.compareTo(MIN_PERIOD) < 0) {
        throw new IllegalArgumentException(
            "period must be at least " + MIN_PERIOD.toMillis() + " ms, got " + period);
      }
      if (osRefresh.isNegative()) {
        throw new IllegalArgumentException("osRefresh must not be negative, got " + osRefresh);
      }
      if (historySize < 2 || historySize > 1_000_000) {
        throw new IllegalArgumentException(
            "historySize must be in [2, 1000000], got " + historySize);
      }
      if (aggregateMinutes < 1 || aggregateMinutes > 525_600) {
        throw new IllegalArgumentException(
            "aggregateMinutes must be in [1, 525600] (a year), got " + aggregateMinutes);
      }
      if (alertHistorySize < 1) {
        throw new IllegalArgumentException(
            "alertHistorySize must be at least 1, got " + alertHistorySize);
      }
      if (notificationQueueSize < 1) {
        throw new IllegalArgumentException(
            "notificationQueueSize must be at least 1, got " + notificationQueueSize);
      }
      return new MonitorConfig(this);
    }
  }
}
