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
import org.openjdk.jcstress.infra.results.ZJJ_Result;

/**
 * A reservation grows while its scope closes: either the growth lands before the close (which then
 * reports all 60 bytes) or it is refused (and the close reports the 10); the tree above ends at 0.
 *
 * <p>Result: whether the growth succeeded, the root's reserved bytes, the bytes reported leaked.
 */
@JCStressTest
@Description("Reservation.grow() against its scope's close()")
@Outcome(id = "true, 0, 60", expect = ACCEPTABLE, desc = "grew, then the close took all of it")
@Outcome(id = "false, 0, 10", expect = ACCEPTABLE, desc = "the close came first; growth refused")
@State
public class GrowVsScopeClose {
  private final MemoryManager memory = Races.manager();
  private final MemoryScope parent = memory.openScope("parent");
  private final MemoryScope scope = parent.openChild("scope");
  private final Reservation reservation = scope.reserve(10);

  @Actor
  public void grow(ZJJ_Result r) {
    try {
      reservation.grow(50);
      r.r1 = true;
    } catch (IllegalStateException closed) {
      r.r1 = false;
    }
  }

  @Actor
  public void closeScope() {
    scope.close();
  }

  @Arbiter
  public void settle(ZJJ_Result r) {
    r.r2 = memory.reservedBytes();
    r.r3 = memory.stats().leakedBytes();
  }
}
