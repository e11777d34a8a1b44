package io.memguard.monitor;

import io.memguard.core.PressureLevel;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Totals of an {@link EmergencyGuard} so far. Immutable.
 *
 * @param level the level now
 * @param inEmergency whether an emergency is in progress (entered and not yet recovered)
 * @param emergencies emergencies entered
 * @param tasksStopRequested tasks asked to stop
 * @param cleanupStagesRun cleanup stages run
 * @param maxLiveHeapFraction the highest live-heap-after-GC fraction seen
 * @param totalTimeInEmergency time spent at EMERGENCY, all emergencies
 * @param lastTimeToRecover the last emergency's time from entering to recovery, or null
 * @param samples samples evaluated
 * @since 0.1.0
 */
public record GuardStats(
    PressureLevel level,
    boolean inEmergency,
    long emergencies,
    long tasksStopRequested,
    long cleanupStagesRun,
    double maxLiveHeapFraction,
    Duration totalTimeInEmergency,
    @Nullable Duration lastTimeToRecover,
    long samples) {}
