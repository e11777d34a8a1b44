package io.memguard.core;

import java.lang.ref.Cleaner;

/**
 * The reservation implementation. A watched reservation's state lives in a separate object so that
 * the Cleaner's action does not keep the reservation reachable; an unwatched one (most, when leak
 * detection samples) is its own state, one allocation instead of two. The state's byte count is -1
 * once released, which makes release, resize and the safety net race-free with one atomic word.
 */
final class DefaultReservation extends ReservationState implements Reservation {
  private static final Cleaner CLEANER =
      Cleaner.create(
          r -> {
            Thread t = new Thread(r, "memguard-reservation-cleaner");
            t.setDaemon(true);
            return t;
          });

  final ReservationState state;
  private final Cleaner.Cleanable cleanable;

  DefaultReservation(DefaultScope scope, long bytes, boolean captureSite) {
    this(scope, bytes, captureSite ? new Throwable("reservation created here") : null);
  }

  private DefaultReservation(DefaultScope scope, long bytes, Throwable site) {
    this(scope, bytes, site, scope.manager().watchReservation());
  }

  private DefaultReservation(DefaultScope scope, long bytes, Throwable site, boolean watched) {
    super(scope, watched ? -1 : bytes, site);
    if (watched) {
      ReservationState.Watched watchedState = new ReservationState.Watched(scope, bytes, site);
      this.state = watchedState;
      this.cleanable = CLEANER.register(this, watchedState);
    } else {
      this.state = this;
      this.cleanable = null;
    }
  }

  @Override
  public long bytes() {
    long b = state.bytes;
    return b < 0 || state.scope.accountingClosed() ? 0 : b;
  }

  @Override
  public MemoryScope scope() {
    return state.scope;
  }

  @Override
  public boolean isReleased() {
    return state.bytes < 0 || state.scope.accountingClosed();
  }

  @Override
  public void grow(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("grow by a negative amount: " + bytes + "; use shrink");
    }
    if (state.bytes < 0 || state.scope.accountingClosed()) {
      throw released();
    }
    state.scope.addCommitted(bytes);
    for (; ; ) {
      long b = state.bytes;
      if (b < 0) {
        state.scope.releaseCommitted(bytes, false);
        throw released();
      }
      if (BYTES.compareAndSet(state, b, b + bytes)) {
        return;
      }
    }
  }

  @Override
  public void shrink(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("shrink by a negative amount: " + bytes + "; use grow");
    }
    for (; ; ) {
      long b = state.bytes;
      if (b < 0 || state.scope.accountingClosed()) {
        throw released();
      }
      if (bytes > b) {
        throw new IllegalArgumentException(
            "cannot shrink a reservation of " + b + " bytes by " + bytes + " bytes");
      }
      if (BYTES.compareAndSet(state, b, b - bytes)) {
        break;
      }
    }
    state.scope.releaseCommitted(bytes, false);
  }

  @Override
  public void resize(long newBytes) {
    if (newBytes < 0) {
      throw new IllegalArgumentException("reservation size must be >= 0, got " + newBytes);
    }
    // one compare-and-set from the size read to newBytes, so that concurrent resizes, grows and
    // shrinks each land whole: two resize(100) from 50 end at 100, not 150
    for (; ; ) {
      long b = state.bytes;
      if (b < 0 || state.scope.accountingClosed()) {
        throw released();
      }
      if (newBytes == b) {
        return;
      }
      if (newBytes > b) {
        state.scope.addCommitted(newBytes - b);
        if (BYTES.compareAndSet(state, b, newBytes)) {
          return;
        }
        state.scope.releaseCommitted(newBytes - b, false);
      } else if (BYTES.compareAndSet(state, b, newBytes)) {
        state.scope.releaseCommitted(b - newBytes, false);
        return;
      }
    }
  }

  private IllegalStateException released() {
    return new IllegalStateException(
        "reservation in scope '"
            + state.scope.path()
            + "' was already released"
            + (state.bytes >= 0 ? " (its scope closed)" : "")
            + "; reserve again in an open scope");
  }

  @Override
  public void close() {
    if (state.release()) {
      state.scope.reservationReleased(state);
    }
    if (cleanable != null) {
      // Deregister now: left to the GC, released reservations pile up in the Cleaner's list and
      // the hot path slows a hundredfold (measured with ReserveReleaseBenchmark).
      cleanable.clean();
    }
  }

  @Override
  public String toString() {
    long b = state.bytes;
    return "Reservation["
        + state.scope.path()
        + ", "
        + (b < 0 ? "released" : MemorySize.format(b))
        + "]";
  }
}
