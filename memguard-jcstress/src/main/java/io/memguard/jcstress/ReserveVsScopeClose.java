package io.memguard.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZJJ_Result;

/**
 * A new reservation races its scope's close: it lands before (and the close reports it) or is
 * refused with an IllegalStateException; no bytes are left in the tree above.
 *
 * <p>Result: whether the reservation was made, the root's reserved bytes, the bytes reported
 * leaked.
 */
@JCStressTest
@Description("MemoryScope.tryReserve() against the scope's close()")
@Outcome(id = "true, 0, 50", expect = ACCEPTABLE, desc = "reserved, then reported by the close")
@Outcome(id = "false, 0, 0", expect = ACCEPTABLE, desc = "the close came first; refused")
@State
public class ReserveVsScopeClose {
  private final MemoryManager memory = Races.manager();
  private final MemoryScope parent = memory.openScope("parent");
  private final MemoryScope scope = parent.openChild("scope");

  @Actor
  public void reserve(ZJJ_Result r) {
    try {
      r.r1 = scope.tryReserve(50).isPresent();
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
