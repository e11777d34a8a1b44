package io.memguard.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * A reservation's state: scope, bytes (-1 when released) and, optionally, the creation site. The
 * state of an unwatched reservation is the reservation itself; a watched one's is a separate
 * object, the Cleaner's action ({@link Watched}), so that it does not keep the reservation
 * reachable.
 */
class ReservationState {
  static final VarHandle BYTES;

  static {
    try {
      BYTES = MethodHandles.lookup().findVarHandle(ReservationState.class, "bytes", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final DefaultScope scope;
  final Throwable site;
  volatile long bytes;

  ReservationState(DefaultScope scope, long bytes, Throwable site) {
    this.scope = scope;
    // A plain write: a volatile one here adds a full fence to every reservation. Every read goes
    // through DefaultReservation's final field `state`, written after this, so even a racy
    // publication of the reservation shows it; the Cleaner's thread sees a watched state through
    // the lock its registration takes.
    BYTES.set(this, bytes);
    this.site = site;
  }

  /** Returns the bytes to the scope once; true if this call released them. */
  boolean release() {
    long b = (long) BYTES.getAndSet(this, -1L);
    if (b < 0) {
      return false;
    }
    scope.releaseCommitted(b, true);
    return true;
  }

  /** The state of a watched reservation, the Cleaner's action. */
  static final class Watched extends ReservationState implements Runnable {
    Watched(DefaultScope scope, long bytes, Throwable site) {
      super(scope, bytes, site);
    }

    /** Runs after an explicit release too, and then does nothing. */
    @Override
    public void run() {
      collectedWithoutRelease();
    }
  }

  /** The reservation became unreachable: returns its bytes, if still held, and reports a leak. */
  final void collectedWithoutRelease() {
    long b = (long) BYTES.getAndSet(this, -1L);
    if (b < 0) {
      return;
    }
    scope.reservationReleased(this);
    if (scope.releaseCommitted(b, true)) {
      scope
          .manager()
          .reportLeak(
              new ReservationLeak(
                  ReservationLeak.Kind.COLLECTED_WITHOUT_RELEASE,
                  scope.path(),
                  b,
                  1,
                  site == null ? List.of() : List.of(site)));
    }
  }
}
