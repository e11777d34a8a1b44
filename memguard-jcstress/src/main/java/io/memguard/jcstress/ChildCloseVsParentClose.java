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
import org.openjdk.jcstress.infra.results.JJJJ_Result;

/**
 * A child scope closes while its parent closes: each scope's unreleased bytes (100 in the child, 20
 * in the parent) are reported exactly once, the root ends at 0 and only the root stays open.
 *
 * <p>Result: the root's reserved bytes, the bytes reported leaked, the leak reports, open scopes.
 */
@JCStressTest
@Description("MemoryScope.close() of a child against its parent's close()")
@Outcome(id = "0, 120, 2, 1", expect = ACCEPTABLE, desc = "each scope reported once")
@State
public class ChildCloseVsParentClose {
  private final MemoryManager memory = Races.manager();
  private final MemoryScope parent = memory.openScope("parent");
  private final MemoryScope child = parent.openChild("child");

  {
    parent.reserve(20);
    child.reserve(100);
  }

  @Actor
  public void closeChild() {
    child.close();
  }

  @Actor
  public void closeParent() {
    parent.close();
  }

  @Arbiter
  public void settle(JJJJ_Result r) {
    r.r1 = memory.reservedBytes();
    r.r2 = memory.stats().leakedBytes();
    r.r3 = memory.stats().leaksReported();
    r.r4 = memory.openScopeCount();
  }
}
