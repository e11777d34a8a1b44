package io.memguard.monitor;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link LeakDetector} decides. Immutable; build with {@link #builder()} or take {@link
 * #ofDefaults()}. See {@code docs/monitor.md} for why the defaults are what they are.
 *
 * <p>The detector keeps the lowest post-GC live-set reading per {@link #bucket()} for the last
 * {@link #longWindow()}. It tests windows of {@link #window()}, twice that, four times that and so
 * on up to the long window: each is cut into {@link #segments()} segments, and the segments' minima
 * (the floor of the live set, so garbage promoted between old-generation cycles does not count) are
 * tested for a monotonic increase (Mann-Kendall, one-sided, level {@link #significance()}) with a
 * robust slope (Theil-Sen). A window counts when the increase is significant and the growth over it
 * is at least {@link #minGrowthFraction()} of max heap. Windows shorter than 2.5 times the longest
 * recent old-generation cycle (a rise of the floor followed by a return to it) are not trusted,
 * because within one cycle garbage looks like growth. {@link #confirmations()} successive
 * suspicious evaluations make a leak.
 *
 * @since 0.1.0
 */
public final class LeakDetectorConfig {
  private final boolean enabled;
  private final Duration bucket;
  private final Duration window;
  private final Duration longWindow;
  private final int segments;
  private final Duration warmup;
  private final double significance;
  private final double minGrowthFraction;
  private final int confirmations;
  private final boolean classHistograms;
  private final Duration histogramInterval;
  private final int maxHistogramsPerHour;
  private final Duration reportInterval;
  private final int maxSuspects;

  private LeakDetectorConfig(Builder b) {
    enabled = b.enabled;
    bucket = b.bucket;
    window = b.window;
    longWindow = b.longWindow;
    segments = b.segments;
    warmup = b.warmup;
    significance = b.significance;
    minGrowthFraction = b.minGrowthFraction;
    confirmations = b.confirmations;
    classHistograms = b.classHistograms;
    histogramInterval = b.histogramInterval;
    maxHistogramsPerHour = b.maxHistogramsPerHour;
    reportInterval = b.reportInterval;
    maxSuspects = b.maxSuspects;
  }

  /**
   * The defaults: 2 s buckets, windows of 30 s doubling up to 32 min, 10 segments, p &lt; 0.001, 2
   * confirmations.
   */
  public static LeakDetectorConfig ofDefaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from {@code base}'s settings. */
  public static Builder from(LeakDetectorConfig base) {
    Objects.requireNonNull(base, "base");
    Builder b = new Builder();
    b.enabled = base.enabled;
    b.bucket = base.bucket;
    b.window = base.window;
    b.longWindow = base.longWindow;
    b.segments = base.segments;
    b.warmup = base.warmup;
    b.significance = base.significance;
    b.minGrowthFraction = base.minGrowthFraction;
    b.confirmations = base.confirmations;
    b.classHistograms = base.classHistograms;
    b.histogramInterval = base.histogramInterval;
    b.maxHistogramsPerHour = base.maxHistogramsPerHour;
    b.reportInterval = base.reportInterval;
    b.maxSuspects = base.maxSuspects;
    return b;
  }

  /** Whether the detector runs at all (default true). */
  public boolean enabled() {
    return enabled;
  }

  /** Resolution of the live-set series: the lowest reading per bucket is kept (default 2 s). */
  public Duration bucket() {
    return bucket;
  }

  /**
   * The shortest window tested (default 30 s); longer ones double it up to {@link #longWindow()}.
   */
  public Duration window() {
    return window;
  }

  /** The longest window kept and tested, for slow leaks (default 32 min). */
  public Duration longWindow() {
    return longWindow;
  }

  /**
   * Segments each window is cut into; the test runs on their minima (default 10, at least 6 must
   * hold readings).
   */
  public int segments() {
    return segments;
  }

  /** Live-set readings in this first span after the monitor starts are ignored (default 10 s). */
  public Duration warmup() {
    return warmup;
  }

  /** The one-sided Mann-Kendall level below which growth counts as significant (default 0.001). */
  public double significance() {
    return significance;
  }

  /** Least growth over the window, as a share of max heap, worth a suspicion (default 0.02). */
  public double minGrowthFraction() {
    return minGrowthFraction;
  }

  /** Successive suspicious evaluations before a leak is reported (default 2). */
  public int confirmations() {
    return confirmations;
  }

  /** Whether class histograms (they cause a full GC) are taken on suspicion (default true). */
  public boolean classHistograms() {
    return classHistograms;
  }

  /** Least time between two class histograms (default 5 s). */
  public Duration histogramInterval() {
    return histogramInterval;
  }

  /** Most class histograms in any hour (default 12). */
  public int maxHistogramsPerHour() {
    return maxHistogramsPerHour;
  }

  /** While a leak persists, how often an updated report is produced (default 5 min). */
  public Duration reportInterval() {
    return reportInterval;
  }

  /** Most suspects per kind in a report (default 10). */
  public int maxSuspects() {
    return maxSuspects;
  }

  @Override
  public String toString() {
    return "LeakDetectorConfig{enabled="
        + enabled
        + ", bucket="
        + bucket
        + ", window="
        + window
        + ", longWindow="
        + longWindow
        + ", segments="
        + segments
        + ", warmup="
        + warmup
        + ", significance="
        + significance
        + ", minGrowthFraction="
        + minGrowthFraction
        + ", confirmations="
        + confirmations
        + ", classHistograms="
        + classHistograms
        + ", histogramInterval="
        + histogramInterval
        + ", maxHistogramsPerHour="
        + maxHistogramsPerHour
        + ", reportInterval="
        + reportInterval
        + ", maxSuspects="
        + maxSuspects
        + "}";
  }

  /** Builds a {@link LeakDetectorConfig}; validates in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private boolean enabled = true;
    private Duration bucket = Duration.ofSeconds(2);
    private Duration window = Duration.ofSeconds(30);
    private Duration longWindow = Duration.ofMinutes(32);
    private int segments = 10;
    private Duration warmup = Duration.ofSeconds(10);
    private double significance = 0.001;
    private double minGrowthFraction = 0.02;
    private int confirmations = 2;
    private boolean classHistograms = true;
    private Duration histogramInterval = Duration.ofSeconds(5);
    private int maxHistogramsPerHour = 12;
    private Duration reportInterval = Duration.ofMinutes(5);
    private int maxSuspects = 10;

    private Builder() {}

    /** See {@link LeakDetectorConfig#enabled()}. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** See {@link LeakDetectorConfig#bucket()}. */
    public Builder bucket(Duration bucket) {
      this.bucket = Objects.requireNonNull(bucket, "bucket");
      return this;
    }

    /** See {@link LeakDetectorConfig#window()}. */
    public Builder window(Duration window) {
      this.window = Objects.requireNonNull(window, "window");
      return this;
    }

    /** See {@link LeakDetectorConfig#longWindow()}. */
    public Builder longWindow(Duration window) {
      longWindow = Objects.requireNonNull(window, "longWindow");
      return this;
    }

    /** See {@link LeakDetectorConfig#segments()}. */
    public Builder segments(int segments) {
      this.segments = segments;
      return this;
    }

    /** See {@link LeakDetectorConfig#warmup()}. */
    public Builder warmup(Duration warmup) {
      this.warmup = Objects.requireNonNull(warmup, "warmup");
      return this;
    }

    /** See {@link LeakDetectorConfig#significance()}. */
    public Builder significance(double level) {
      significance = level;
      return this;
    }

    /** See {@link LeakDetectorConfig#minGrowthFraction()}. */
    public Builder minGrowthFraction(double fraction) {
      minGrowthFraction = fraction;
      return this;
    }

    /** See {@link LeakDetectorConfig#confirmations()}. */
    public Builder confirmations(int evaluations) {
      confirmations = evaluations;
      return this;
    }

    /** See {@link LeakDetectorConfig#classHistograms()}. */
    public Builder classHistograms(boolean enabled) {
      classHistograms = enabled;
      return this;
    }

    /** See {@link LeakDetectorConfig#histogramInterval()}. */
    public Builder histogramInterval(Duration interval) {
      histogramInterval = Objects.requireNonNull(interval, "histogramInterval");
      return this;
    }

    /** See {@link LeakDetectorConfig#maxHistogramsPerHour()}. */
    public Builder maxHistogramsPerHour(int histograms) {
      maxHistogramsPerHour = histograms;
      return this;
    }

    /** See {@link LeakDetectorConfig#reportInterval()}. */
    public Builder reportInterval(Duration interval) {
      reportInterval = Objects.requireNonNull(interval, "reportInterval");
      return this;
    }

    /** See {@link LeakDetectorConfig#maxSuspects()}. */
    public Builder maxSuspects(int suspects) {
      maxSuspects = suspects;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the first value out of range
     */
    public LeakDetectorConfig build() {
      positive("bucket", bucket);
      positive("window", window);
      positive("reportInterval", reportInterval);
      if (warmup.isNegative()) {
        throw new IllegalArgumentException("warmup must not be negative, got " + warmup);
      }
      if (histogramInterval.isNegative()) {
        throw new IllegalArgumentException(
            "histogramInterval must not be negative, got " + histogramInterval);
      }
      if (longWindow.compareTo(window) < 0) {
        throw new IllegalArgumentException(
            "longWindow (" + longWindow + ") must be at least window (" + window + ")");
      }
      if (window.compareTo(bucket.multipliedBy(segments)) < 0) {
        throw new IllegalArgumentException(
            "window ("
                + window
                + ") must hold at least one bucket of "
                + bucket
                + " per segment ("
                + segments
                + " segments)");
      }
      if (longWindow.dividedBy(bucket) > 100_000) {
        throw new IllegalArgumentException(
            "longWindow / bucket must be at most 100000, got " + longWindow.dividedBy(bucket));
      }
      if (segments < 6 || segments > 60) {
        throw new IllegalArgumentException("segments must be in [6, 60], got " + segments);
      }
      if (!(significance > 0 && significance < 0.5)) {
        throw new IllegalArgumentException("significance must be in (0, 0.5), got " + significance);
      }
      if (!(minGrowthFraction >= 0 && minGrowthFraction < 1)) {
        throw new IllegalArgumentException(
            "minGrowthFraction must be in [0, 1), got " + minGrowthFraction);
      }
      if (confirmations < 1) {
        throw new IllegalArgumentException(
            "confirmations must be at least 1, got " + confirmations);
      }
      if (maxHistogramsPerHour < 2) {
        throw new IllegalArgumentException(
            "maxHistogramsPerHour must be at least 2 (a comparison needs two), got "
                + maxHistogramsPerHour);
      }
      if (maxSuspects < 1) {
        throw new IllegalArgumentException("maxSuspects must be at least 1, got " + maxSuspects);
      }
      return new LeakDetectorConfig(this);
    }

    private static void positive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
    }
  }
}
