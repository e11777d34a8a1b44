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
 * A reservation grows while another thread releases it and then closes its scope (two actors: the
 * machines have two cores, and jcstress schedules no more actors than cores). The grown bytes may
 * sit in the scope for a moment after the release (the grow has added them and not yet seen the
 * release); a close that takes them then must return them without reporting a leak, since no
 * reservation holds them. Before the fix it reported "50 bytes, 1 reservation".
 *
 * <p>Result: the root's reserved bytes, the bytes reported leaked, the leak reports.
 */
@JCStressTest
@Description("Reservation.grow() against its release() and then its scope's close()")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "all returned, no leak reported")
@State
public class GrowVsReleaseVsScopeClose {
  private final MemoryManager memory = Races.manager();
  private final MemoryScope parent = memory.openScope("parent");
  private final MemoryScope scope = parent.openChild("scope");
  private final Reservation reservation = scope.reserve(10);

  @Actor
  public void grow() {
    try {
      reservation.grow(50);
    } catch (IllegalStateException releasedOrClosed) {
      // either is a valid outcome of the race; the arbiter checks the accounting
    }
  }

  @Actor
  public void releaseThenCloseScope() {
    reservation.close();
    scope.close();
  }

  @Arbiter
  public void settle(JJJ_Result r) {
    r.r1 = memory.reservedBytes();
    r.r2 = memory.stats().leakedBytes();
    r.r3 = memory.stats().leaksReported();
  }
}
