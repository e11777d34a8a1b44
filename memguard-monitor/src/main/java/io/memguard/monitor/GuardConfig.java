package io.memguard.monitor;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@link EmergencyGuard}'s thresholds, immutable and validated when built ({@link #builder()},
 * which starts from the defaults, or {@link #from(GuardConfig)} to change a few). Fractions are of
 * the respective limit. Defaults ({@link #ofDefaults()}): live heap after GC ELEVATED at 0.80,
 * CRITICAL at 0.90, EMERGENCY at 0.95, recovered below 0.85; RSS the same against the container or
 * system memory; system available memory EMERGENCY below 5% of the total, recovered above 10%;
 * admission paused for every priority; as many tasks stopped per evaluation as the guard's stop
 * plan needs; the live set's growth projected 1 s ahead.
 *
 * <p>The thresholds:
 *
 * <ul>
 *   <li>{@code elevated}: fraction at which a limit is ELEVATED
 *   <li>{@code critical}: fraction at which it is CRITICAL
 *   <li>{@code emergency}: fraction at which it is an EMERGENCY
 *   <li>{@code recovery}: fraction below which an emergency is over (hysteresis; below {@code
 *       emergency})
 *   <li>{@code systemAvailableEmergency}: available-memory fraction below which the system is in
 *       emergency
 *   <li>{@code systemAvailableRecovery}: available-memory fraction above which that emergency is
 *       over
 *   <li>{@code pauseBelowPriority}: admission pauses for tasks with a priority below this during an
 *       emergency
 *   <li>{@code stopBelowPriority}: only tasks with a priority below this may be asked to stop
 *   <li>{@code maxStopsPerEvaluation}: at most how many tasks one evaluation may ask to stop (the
 *       stop plan decides how many it needs)
 *   <li>{@code projectionHorizon}: how far ahead the live set's growth between two samples is
 *       projected: a live set at ELEVATED or above whose projection reaches the emergency threshold
 *       within this horizon is treated as an emergency now (zero turns projection off); after
 *       asking tasks to stop, the guard waits for them to stop and a collection to run, at most
 *       twice this long, before it plans again; what stopped tasks held counts as released until a
 *       measurement shows it, for at most ten horizons (and at least 5 s)
 * </ul>
 *
 * <p>Thread-safe (immutable). Equal when all thresholds are equal.
 *
 * @since 0.1.0
 */
public final class GuardConfig {

  private static final GuardConfig DEFAULTS = new Builder().build();

  private final double elevated;
  private final double critical;
  private final double emergency;
  private final double recovery;
  private final double systemAvailableEmergency;
  private final double systemAvailableRecovery;
  private final int pauseBelowPriority;
  private final int stopBelowPriority;
  private final int maxStopsPerEvaluation;
  private final Duration projectionHorizon;

  private GuardConfig(Builder b) {
    elevated = b.elevated;
    critical = b.critical;
    emergency = b.emergency;
    recovery = b.recovery;
    systemAvailableEmergency = b.systemAvailableEmergency;
    systemAvailableRecovery = b.systemAvailableRecovery;
    pauseBelowPriority = b.pauseBelowPriority;
    stopBelowPriority = b.stopBelowPriority;
    maxStopsPerEvaluation = b.maxStopsPerEvaluation;
    projectionHorizon = b.projectionHorizon;
  }

  /**
   * The defaults: 0.80 / 0.90 / 0.95, recovery 0.85; system 5% / 10%; pause all; stop any, as
   * planned; 1 s.
   */
  public static GuardConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder that starts from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from {@code base}'s thresholds. */
  public static Builder from(GuardConfig base) {
    return new Builder(base);
  }

  /** See the class description: fraction at which a limit is ELEVATED. */
  public double elevated() {
    return elevated;
  }

  /** See the class description: fraction at which it is CRITICAL. */
  public double critical() {
    return critical;
  }

  /** See the class description: fraction at which it is an EMERGENCY. */
  public double emergency() {
    return emergency;
  }

  /** See the class description: fraction below which an emergency is over. */
  public double recovery() {
    return recovery;
  }

  /**
   * See the class description: available-memory fraction below which the system is in emergency.
   */
  public double systemAvailableEmergency() {
    return systemAvailableEmergency;
  }

  /** See the class description: available-memory fraction above which that emergency is over. */
  public double systemAvailableRecovery() {
    return systemAvailableRecovery;
  }

  /**
   * See the class description: admission pauses for tasks with a priority below this during an
   * emergency.
   */
  public int pauseBelowPriority() {
    return pauseBelowPriority;
  }

  /** See the class description: only tasks with a priority below this may be asked to stop. */
  public int stopBelowPriority() {
    return stopBelowPriority;
  }

  /** See the class description: at most how many tasks one evaluation may ask to stop. */
  public int maxStopsPerEvaluation() {
    return maxStopsPerEvaluation;
  }

  /** See the class description: how far ahead the live set's growth is projected (zero: off). */
  public Duration projectionHorizon() {
    return projectionHorizon;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof GuardConfig g)) {
      return false;
    }
    return Double.compare(elevated, g.elevated) == 0
        && Double.compare(critical, g.critical) == 0
        && Double.compare(emergency, g.emergency) == 0
        && Double.compare(recovery, g.recovery) == 0
        && Double.compare(systemAvailableEmergency, g.systemAvailableEmergency) == 0
        && Double.compare(systemAvailableRecovery, g.systemAvailableRecovery) == 0
        && pauseBelowPriority == g.pauseBelowPriority
        && stopBelowPriority == g.stopBelowPriority
        && maxStopsPerEvaluation == g.maxStopsPerEvaluation
        && projectionHorizon.equals(g.projectionHorizon);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        elevated,
        critical,
        emergency,
        recovery,
        systemAvailableEmergency,
        systemAvailableRecovery,
        pauseBelowPriority,
        stopBelowPriority,
        maxStopsPerEvaluation,
        projectionHorizon);
  }

  @Override
  public String toString() {
    return "GuardConfig[elevated="
        + elevated
        + ", critical="
        + critical
        + ", emergency="
        + emergency
        + ", recovery="
        + recovery
        + ", systemAvailableEmergency="
        + systemAvailableEmergency
        + ", systemAvailableRecovery="
        + systemAvailableRecovery
        + ", pauseBelowPriority="
        + pauseBelowPriority
        + ", stopBelowPriority="
        + stopBelowPriority
        + ", maxStopsPerEvaluation="
        + maxStopsPerEvaluation
        + ", projectionHorizon="
        + projectionHorizon
        + "]";
  }

  /** Builds a {@link GuardConfig}; validates in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private double elevated = 0.80;
    private double critical = 0.90;
    private double emergency = 0.95;
    private double recovery = 0.85;
    private double systemAvailableEmergency = 0.05;
    private double systemAvailableRecovery = 0.10;
    private int pauseBelowPriority = Integer.MAX_VALUE;
    private int stopBelowPriority = Integer.MAX_VALUE;
    private int maxStopsPerEvaluation = Integer.MAX_VALUE;
    private Duration projectionHorizon = Duration.ofSeconds(1);

    private Builder() {}

    private Builder(GuardConfig base) {
      elevated = base.elevated;
      critical = base.critical;
      emergency = base.emergency;
      recovery = base.recovery;
      systemAvailableEmergency = base.systemAvailableEmergency;
      systemAvailableRecovery = base.systemAvailableRecovery;
      pauseBelowPriority = base.pauseBelowPriority;
      stopBelowPriority = base.stopBelowPriority;
      maxStopsPerEvaluation = base.maxStopsPerEvaluation;
      projectionHorizon = base.projectionHorizon;
    }

    /**
     * The heap and RSS thresholds, as fractions of their limits: ELEVATED, CRITICAL and EMERGENCY
     * at or above, and the emergency over below {@code recoveryBelow}.
     */
    public Builder thresholds(
        double elevatedAt, double criticalAt, double emergencyAt, double recoveryBelow) {
      this.elevated = elevatedAt;
      this.critical = criticalAt;
      this.emergency = emergencyAt;
      this.recovery = recoveryBelow;
      return this;
    }

    /**
     * The system's available memory, as fractions of the total: an emergency below {@code
     * emergencyBelow}, over above {@code recoveryAbove}.
     */
    public Builder systemAvailable(double emergencyBelow, double recoveryAbove) {
      this.systemAvailableEmergency = emergencyBelow;
      this.systemAvailableRecovery = recoveryAbove;
      return this;
    }

    /** During an emergency, admission pauses for tasks with a priority below this. */
    public Builder pauseBelowPriority(int priority) {
      this.pauseBelowPriority = priority;
      return this;
    }

    /** Only tasks with a priority below this may be asked to stop. */
    public Builder stopBelowPriority(int priority) {
      this.stopBelowPriority = priority;
      return this;
    }

    /** At most this many tasks are asked to stop per evaluation. */
    public Builder maxStopsPerEvaluation(int stops) {
      this.maxStopsPerEvaluation = stops;
      return this;
    }

    /** How far ahead the live set's growth is projected; zero judges only what was measured. */
    public Builder projectionHorizon(Duration horizon) {
      this.projectionHorizon = horizon;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException naming the thresholds that are out of order or range
     */
    public GuardConfig build() {
      if (!(0 < elevated && elevated <= critical && critical <= emergency && emergency <= 1.5)) {
        throw new IllegalArgumentException(
            "need 0 < elevated <= critical <= emergency <= 1.5, got "
                + elevated
                + ", "
                + critical
                + ", "
                + emergency);
      }
      if (!(recovery > 0 && recovery < emergency)) {
        throw new IllegalArgumentException(
            "recovery ("
                + recovery
                + ") must be in (0, emergency "
                + emergency
                + ") for hysteresis");
      }
      if (!(systemAvailableEmergency >= 0
          && systemAvailableEmergency < systemAvailableRecovery
          && systemAvailableRecovery < 1)) {
        throw new IllegalArgumentException(
            "need 0 <= systemAvailableEmergency < systemAvailableRecovery < 1, got "
                + systemAvailableEmergency
                + ", "
                + systemAvailableRecovery);
      }
      if (projectionHorizon == null || projectionHorizon.isNegative()) {
        throw new IllegalArgumentException(
            "projectionHorizon must be >= 0, got " + projectionHorizon);
      }
      if (maxStopsPerEvaluation < 0) {
        throw new IllegalArgumentException(
            "maxStopsPerEvaluation must be >= 0, got " + maxStopsPerEvaluation);
      }
      return new GuardConfig(this);
    }
  }
}
