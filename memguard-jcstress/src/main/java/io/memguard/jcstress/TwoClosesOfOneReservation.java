package io.memguard.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.Reservation;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

/**
 * Two threads close one reservation: its bytes are returned once, never twice.
 *
 * <p>Result: the scope's reserved bytes, the root's, the scope's live reservations.
 */
@JCStressTest
@Description("Reservation.close() on two threads at once")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "released exactly once")
@State
public class TwoClosesOfOneReservation {
  private final MemoryManager memory = Races.manager();
  private final MemoryScope scope = memory.openScope("scope");
  private final Reservation reservation = scope.reserve(100);

  @Actor
  public void first() {
    reservation.close();
  }

  @Actor
  public void second() {
    reservation.close();
  }

  @Arbiter
  public void settle(JJJ_Result r) {
    r.r1 = scope.reservedBytes();
    r.r2 = memory.reservedBytes();
    r.r3 = scope.liveReservations();
  }
}
