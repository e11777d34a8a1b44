package io.memguard.monitor;

/**
 * The {@link EmergencyGuard}'s thresholds, immutable and validated when built. Fractions are of
 * the respective limit. Defaults ({@link #ofDefaults()}): live heap after GC ELEVATED at 0.80,
 * CRITICAL at 0.90, EMERGENCY at 0.95, recovered below 0.85; RSS the same against the container or
 * system memory; system available memory EMERGENCY below 5% of the total, recovered above 10%;
 * admission paused for every priority; as many tasks stopped per evaluation as the guard's stop plan
 * needs; the live set's growth projected 1 s ahead.
 *
 * @param elevated fraction at which a limit is ELEVATED
 * @param critical fraction at which it is CRITICAL
 * @param emergency fraction at which it is an EMERGENCY
 * @param recovery fraction below which an emergency is over (hysteresis; below {@code emergency})
 * @param systemAvailableEmergency available-memory fraction below which the system is in emergency
 * @param systemAvailableRecovery available-memory fraction above which that emergency is over
 * @param pauseBelowPriority admission pauses for tasks with a priority below this during an emergency
 * @param stopBelowPriority only tasks with a priority below this may be asked to stop
 * @param maxStopsPerEvaluation at most how many tasks one evaluation may ask to stop (the stop
 *     plan decides how many it needs)
 * @param projectionHorizon how far ahead the live set's growth between two samples is projected:
 *     a live set at ELEVATED or above whose projection reaches the emergency threshold within this
 *     horizon is treated as an emergency now (zero turns projection off); after asking tasks to
 *     stop, the guard waits for them to stop and a collection to run, at most twice this long,
 *     before it plans again; what stopped tasks held counts as released until a measurement shows
 *     it, for at most ten horizons (and at least 5 s)
 */
public record GuardConfig(
    double elevated,
    double critical,
    double emergency,
    double recovery,
    double systemAvailableEmergency,
    double systemAvailableRecovery,
    int pauseBelowPriority,
    int stopBelowPriority,
    int maxStopsPerEvaluation,
    java.time.Duration projectionHorizon) {

  /** Validates the thresholds. */
  public GuardConfig {
    if (!(0 < elevated && elevated <= critical && critical <= emergency && emergency <= 1.5)) {
      throw new IllegalArgumentException(
          "need 0 < elevated <= critical <= emergency, got " + elevated + ", " + critical + ", " + emergency);
    }
    if (!(recovery > 0 && recovery < emergency)) {
      throw new IllegalArgumentException(
          "recovery (" + recovery + ") must be in (0, emergency " + emergency + ") for hysteresis");
    }
    if (!(systemAvailableEmergency >= 0 && systemAvailableEmergency < systemAvailableRecovery
        && systemAvailableRecovery < 1)) {
      throw new IllegalArgumentException(
          "need 0 <= systemAvailableEmergency < systemAvailableRecovery < 1, got "
              + systemAvailableEmergency + ", " + systemAvailableRecovery);
    }
    if (projectionHorizon == null || projectionHorizon.isNegative()) {
      throw new IllegalArgumentException("projectionHorizon must be >= 0, got " + projectionHorizon);
    }
    if (maxStopsPerEvaluation < 0) {
      throw new IllegalArgumentException("maxStopsPerEvaluation must be >= 0, got " + maxStopsPerEvaluation);
    }
  }

  /** The defaults: 0.80 / 0.90 / 0.95, recovery 0.85; system 5% / 10%; pause all; stop any, as planned; 1 s. */
  public static GuardConfig ofDefaults() {
    return new GuardConfig(0.80, 0.90, 0.95, 0.85, 0.05, 0.10, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
        java.time.Duration.ofSeconds(1));
  }

  /** A copy with another projection horizon (zero: judge only what was measured). */
  public GuardConfig withProjectionHorizon(java.time.Duration horizon) {
    return new GuardConfig(elevated, critical, emergency, recovery, systemAvailableEmergency,
        systemAvailableRecovery, pauseBelowPriority, stopBelowPriority, maxStopsPerEvaluation, horizon);
  }

  /** A copy with other heap and RSS thresholds. */
  public GuardConfig withThresholds(double elevatedAt, double criticalAt, double emergencyAt, double recoveryBelow) {
    return new GuardConfig(elevatedAt, criticalAt, emergencyAt, recoveryBelow, systemAvailableEmergency,
        systemAvailableRecovery, pauseBelowPriority, stopBelowPriority, maxStopsPerEvaluation, projectionHorizon);
  }

  /** A copy with other system-available thresholds. */
  public GuardConfig withSystemAvailable(double emergencyBelow, double recoveryAbove) {
    return new GuardConfig(elevated, critical, emergency, recovery, emergencyBelow, recoveryAbove,
        pauseBelowPriority, stopBelowPriority, maxStopsPerEvaluation, projectionHorizon);
  }

  /** A copy that pauses admission only below {@code priority} and stops only tasks below {@code stopBelow}. */
  public GuardConfig withPriorities(int pauseBelow, int stopBelow) {
    return new GuardConfig(elevated, critical, emergency, recovery, systemAvailableEmergency,
        systemAvailableRecovery, pauseBelow, stopBelow, maxStopsPerEvaluation, projectionHorizon);
  }

  /** A copy that asks at most {@code stops} tasks to stop per evaluation. */
  public GuardConfig withMaxStopsPerEvaluation(int stops) {
    return new GuardConfig(elevated, critical, emergency, recovery, systemAvailableEmergency,
        systemAvailableRecovery, pauseBelowPriority, stopBelowPriority, stops, projectionHorizon);
  }
}
