package io.memguard.autofeat;

/**
 * A fit switched to its lightweight plan: an immutable value sent to {@link
 * FitListener#onLightweight}. Thread-safe.
 *
 * @param reason why, with the numbers (e.g. the normal plan's predicted peak against the memory
 *     available, or the pressure level and where the fit was)
 * @param phase the phase the fit was in when it switched ({@link FitPhase#PLAN} when it started
 *     lightweight)
 * @param plan the lightweight plan it continues with
 * @since 0.1.0
 */
public record LightweightEvent(String reason, FitPhase phase, FitPlan plan) {}
