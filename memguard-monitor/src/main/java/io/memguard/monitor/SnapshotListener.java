package io.memguard.monitor;

/**
 * Receives every snapshot the monitor takes, e.g. to feed a dashboard. Called on the monitor's
 * notification thread, never on the sampler or application threads; when it falls behind, snapshots
 * are dropped (and counted in {@link MonitorStats#droppedNotifications()}) rather than queued
 * without bound. A listener that throws is logged and stays registered.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface SnapshotListener {

  /** Called once per snapshot, in order. */
  void onSnapshot(MemorySnapshot snapshot);
}
