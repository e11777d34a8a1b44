package io.memguard.monitor;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * When to raise an {@link Alert}: a threshold on a {@link Metric} of each snapshot (or on the leak
 * detector's verdict), with hysteresis, a minimum duration, a severity and escalation. Immutable;
 * build with {@link #builder(String)}.
 *
 * <p>For an "above" rule the condition is breached while {@code value >= threshold}; the alert
 * fires once it has been breached for {@link #forAtLeast()}; it resolves once {@code value <
 * clearThreshold} has held for {@link #clearAfter()} (hysteresis: between the two thresholds
 * nothing changes). "Below" rules mirror this. Unknown (NaN) values change nothing. While an alert
 * stays open, every {@link #escalateAfter()} it goes one severity up (at most {@link
 * #maxSeverity()}) and one escalation level up, which routes it to channels registered for higher
 * levels.
 *
 * @since 0.1.0
 */
public final class AlertRule {
  private final String name;
  private final Metric metric;
  private final boolean leak;
  private final boolean above;
  private final double threshold;
  private final double clearThreshold;
  private final Duration forAtLeast;
  private final Duration clearAfter;
  private final Severity severity;
  private final Duration escalateAfter;
  private final Severity maxSeverity;
  private final int maxEscalations;
  private final String description;

  private AlertRule(Builder b) {
    name = b.name;
    metric = b.metric;
    leak = b.leak;
    above = b.above;
    threshold = b.threshold;
    clearThreshold = Double.isNaN(b.clearThreshold) ? b.threshold : b.clearThreshold;
    forAtLeast = b.forAtLeast;
    clearAfter = b.clearAfter;
    severity = b.severity;
    escalateAfter = b.escalateAfter;
    maxSeverity = b.maxSeverity;
    maxEscalations = b.maxEscalations;
    description = b.description;
  }

  /**
   * A builder for a rule called {@code name} (unique within a monitor).
   *
   * @throws IllegalArgumentException if the name is blank
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The rule's unique name; alerts are de-duplicated by it. */
  public String name() {
    return name;
  }

  /** The metric watched, or null for a leak rule. */
  public @Nullable Metric metric() {
    return metric;
  }

  /** True when the rule watches the leak detector instead of a metric. */
  public boolean isLeakRule() {
    return leak;
  }

  /** The name of what is watched: the metric's name, or {@code leak}. */
  public String signalName() {
    return leak ? "leak" : metric.name();
  }

  /** True for "value at or above threshold", false for "value at or below threshold". */
  public boolean above() {
    return above;
  }

  /** The threshold that breaches. */
  public double threshold() {
    return threshold;
  }

  /** The threshold that clears (equal to {@link #threshold()} without hysteresis). */
  public double clearThreshold() {
    return clearThreshold;
  }

  /** How long the breach must last before the alert fires (default zero). */
  public Duration forAtLeast() {
    return forAtLeast;
  }

  /** How long the clear condition must last before the alert resolves (default zero). */
  public Duration clearAfter() {
    return clearAfter;
  }

  /** The severity the alert fires with. */
  public Severity severity() {
    return severity;
  }

  /** How long an open alert waits before each escalation; null for never. */
  public @Nullable Duration escalateAfter() {
    return escalateAfter;
  }

  /** The highest severity escalation reaches. */
  public Severity maxSeverity() {
    return maxSeverity;
  }

  /** The most escalation steps (default 3). */
  public int maxEscalations() {
    return maxEscalations;
  }

  /** What the rule is about, for people; may be empty. */
  public String description() {
    return description;
  }

  /** True when {@code value} breaches the threshold. */
  boolean breached(double value) {
    return above ? value >= threshold : value <= threshold;
  }

  /** True when {@code value} is past the clear threshold. */
  boolean cleared(double value) {
    return above ? value < clearThreshold : value > clearThreshold;
  }

  @Override
  public String toString() {
    return "AlertRule{"
        + name
        + ": "
        + signalName()
        + (above ? " >= " : " <= ")
        + threshold
        + (clearThreshold != threshold
            ? " (clears " + (above ? "< " : "> ") + clearThreshold + ")"
            : "")
        + (forAtLeast.isZero() ? "" : " for " + forAtLeast)
        + ", "
        + severity
        + (escalateAfter == null
            ? ""
            : ", escalates every " + escalateAfter + " up to " + maxSeverity)
        + "}";
  }

  /** Builds an {@link AlertRule}; validated by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private Metric metric;
    private boolean leak;
    private Boolean aboveSet;
    private boolean above = true;
    private double threshold = Double.NaN;
    private double clearThreshold = Double.NaN;
    private Duration forAtLeast = Duration.ZERO;
    private Duration clearAfter = Duration.ZERO;
    private Severity severity = Severity.WARNING;
    private Duration escalateAfter;
    private Severity maxSeverity = Severity.EMERGENCY;
    private int maxEscalations = 3;
    private String description = "";

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("alert rule name must not be blank");
      }
      this.name = name;
    }

    /** Watch this metric. */
    public Builder metric(Metric m) {
      metric = Objects.requireNonNull(m, "metric");
      leak = false;
      return this;
    }

    /** Watch the leak detector: fires while it reports a leak (threshold set for you). */
    public Builder leakDetected() {
      leak = true;
      metric = null;
      above = true;
      aboveSet = true;
      threshold = 0.5;
      clearThreshold = 0.5;
      return this;
    }

    /** Breach at or above {@code t}. */
    public Builder above(double t) {
      above = true;
      aboveSet = true;
      threshold = t;
      return this;
    }

    /** Breach at or below {@code t}. */
    public Builder below(double t) {
      above = false;
      aboveSet = true;
      threshold = t;
      return this;
    }

    /**
     * Hysteresis: clear only past {@code t} (below it for "above" rules, above it for "below"
     * rules).
     */
    public Builder clearAt(double t) {
      clearThreshold = t;
      return this;
    }

    /** Fire only after the breach lasted this long. */
    public Builder forAtLeast(Duration d) {
      forAtLeast = Objects.requireNonNull(d, "forAtLeast");
      return this;
    }

    /** Resolve only after the clear condition lasted this long. */
    public Builder clearAfter(Duration d) {
      clearAfter = Objects.requireNonNull(d, "clearAfter");
      return this;
    }

    /** The severity to fire with (default WARNING). */
    public Builder severity(Severity s) {
      severity = Objects.requireNonNull(s, "severity");
      return this;
    }

    /** Escalate an open alert each time this much time passes (default never). */
    public Builder escalateAfter(Duration d) {
      escalateAfter = Objects.requireNonNull(d, "escalateAfter");
      return this;
    }

    /** The highest severity escalation may reach (default EMERGENCY). */
    public Builder maxSeverity(Severity s) {
      maxSeverity = Objects.requireNonNull(s, "maxSeverity");
      return this;
    }

    /** The most escalation steps (default 3). */
    public Builder maxEscalations(int n) {
      maxEscalations = n;
      return this;
    }

    /** A description for people. */
    public Builder description(String text) {
      description = Objects.requireNonNull(text, "description");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalStateException if no metric (or leak) or no threshold was set
     * @throws IllegalArgumentException if the clear threshold is on the wrong side, a duration is
     *     negative, or maxSeverity is below severity
     */
    public AlertRule build() {
      if (metric == null && !leak) {
        throw new IllegalStateException(
            "alert rule '" + name + "' needs metric(...) or leakDetected()");
      }
      if (aboveSet == null || Double.isNaN(threshold)) {
        throw new IllegalStateException("alert rule '" + name + "' needs above(...) or below(...)");
      }
      if (!Double.isNaN(clearThreshold)) {
        if (above && clearThreshold > threshold) {
          throw new IllegalArgumentException(
              "alert rule '"
                  + name
                  + "': clearAt("
                  + clearThreshold
                  + ") must be at or below the threshold "
                  + threshold
                  + " for an above rule");
        }
        if (!above && clearThreshold < threshold) {
          throw new IllegalArgumentException(
              "alert rule '"
                  + name
                  + "': clearAt("
                  + clearThreshold
                  + ") must be at or above the threshold "
                  + threshold
                  + " for a below rule");
        }
      }
      if (forAtLeast.isNegative() || clearAfter.isNegative()) {
        throw new IllegalArgumentException(
            "alert rule '" + name + "': durations must not be negative");
      }
      if (escalateAfter != null && (escalateAfter.isNegative() || escalateAfter.isZero())) {
        throw new IllegalArgumentException(
            "alert rule '" + name + "': escalateAfter must be positive, got " + escalateAfter);
      }
      if (maxSeverity.compareTo(severity) < 0) {
        throw new IllegalArgumentException(
            "alert rule '"
                + name
                + "': maxSeverity "
                + maxSeverity
                + " is below severity "
                + severity);
      }
      if (maxEscalations < 0) {
        throw new IllegalArgumentException(
            "alert rule '" + name + "': maxEscalations must not be negative");
      }
      return new AlertRule(this);
    }
  }
}
