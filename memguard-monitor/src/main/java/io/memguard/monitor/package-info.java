/**
 * memguard's monitor: samples this JVM's memory, remembers it, finds leaks and raises alerts.
 *
 * <p>Start with {@link io.memguard.monitor.MemoryMonitor#start(io.memguard.core.MemoryManager)}.
 * The monitor takes {@link io.memguard.monitor.MemorySnapshot}s on a daemon thread, keeps them in a
 * bounded {@link io.memguard.monitor.MetricHistory} (with per-minute aggregates, trends and GC
 * performance), feeds the post-GC live set to the {@link io.memguard.monitor.LeakDetector}, which
 * produces {@link io.memguard.monitor.LeakReport}s with suspects, evaluates {@link
 * io.memguard.monitor.AlertRule}s in {@link io.memguard.monitor.Alerts} and delivers {@link
 * io.memguard.monitor.AlertEvent}s to listeners and channels (SLF4J, webhook). It also feeds two
 * {@link io.memguard.core.PressureSource}s into the {@link io.memguard.core.MemoryManager}, so the
 * pressure level reflects real heap and RSS, not only declared reservations.
 *
 * <p>Sizes are bytes ({@code long}), durations {@link java.time.Duration} or nanoseconds where
 * named so. Everything that holds a thread or a listener is closed by closing the monitor or the
 * returned {@link io.memguard.core.Registration}. Observers never throw into the observed code.
 * {@code io.memguard.monitor.internal} is not API.
 *
 * <p>Nullness, one rule for all memguard packages: parameters, results and fields are non-null
 * unless annotated {@code @Nullable} (JSpecify's {@code @NullMarked}). Lookups that may find
 * nothing return {@code Optional} ({@code MemoryScope.parent()}, {@code tryReserve}, {@code
 * latest()}); {@code @Nullable} marks only fields of reports and events that are absent in some
 * states (a cleanup's error, a leak at close) and {@code ResourceAllocator.tryAcquire}, whose
 * {@code null} goes in try-with-resources.
 */
@NullMarked
package io.memguard.monitor;

import org.jspecify.annotations.NullMarked;
