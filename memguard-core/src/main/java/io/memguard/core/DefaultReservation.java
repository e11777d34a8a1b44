package io.memguard.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.List;

/**
 * The reservation implementation. Its state lives in a separate object so that the Cleaner's action
 * does not keep the reservation reachable; the state's byte count is -1 once released, which makes
 * release, resize and the safety net race-free with one atomic word.
 */
final class DefaultReservation implements Reservation {
  private static final Cleaner CLEANER =
      Cleaner.create(
          r -> {
            Thread t = new Thread(r, "memguard-reservation-cleaner");
            t.setDaemon(true);
            return t;
          });

  final State state;
  private final Cleaner.Cleanable cleanable;

  DefaultReservation(DefaultScope scope, long bytes, boolean captureSite) {
    this.state =
        new State(scope, bytes, captureSite ? new Throwable("reservation created here") : null);
    this.cleanable = scope.manager().watchReservation() ? CLEANER.register(this, state) : null;
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
        state.scope.releaseCommitted(bytes);
        throw released();
      }
      if (State.BYTES.compareAndSet(state, b, b + bytes)) {
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
      if (State.BYTES.compareAndSet(state, b, b - bytes)) {
        break;
      }
    }
    state.scope.releaseCommitted(bytes);
  }

  @Override
  public void resize(long newBytes) {
    if (newBytes < 0) {
      throw new IllegalArgumentException("reservation size must be >= 0, got " + newBytes);
    }
    long b = state.bytes;
    if (b < 0 || state.scope.accountingClosed()) {
      throw released();
    }
    if (newBytes > b) {
      grow(newBytes - b);
    } else if (newBytes < b) {
      shrink(b - newBytes);
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

  /** The shared state: scope, bytes (-1 when released) and, optionally, the creation site. */
  static final class State implements Runnable {
    static final VarHandle BYTES;

    static {
      try {
        BYTES = MethodHandles.lookup().findVarHandle(State.class, "bytes", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final DefaultScope scope;
    final Throwable site;
    volatile long bytes;

    State(DefaultScope scope, long bytes, Throwable site) {
      this.scope = scope;
      this.bytes = bytes;
      this.site = site;
    }

    /** Returns the bytes to the scope once; true if this call released them. */
    boolean release() {
      long b = (long) BYTES.getAndSet(this, -1L);
      if (b < 0) {
        return false;
      }
      scope.releaseCommitted(b);
      return true;
    }

    /** The Cleaner's action: runs after an explicit release too, and then does nothing. */
    @Override
    public void run() {
      long b = (long) BYTES.getAndSet(this, -1L);
      if (b < 0) {
        return;
      }
      scope.reservationReleased(this);
      if (scope.releaseCommitted(b)) {
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
}
