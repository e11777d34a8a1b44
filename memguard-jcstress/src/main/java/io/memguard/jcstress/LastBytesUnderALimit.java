package io.memguard.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZJ_Result;

/**
 * Two threads reserve 60 bytes each in a scope with a limit of 100: exactly one succeeds (never
 * both, and never neither), and the scope holds exactly its 60 bytes.
 *
 * <p>Result: whether each reservation succeeded, the scope's reserved bytes.
 */
@JCStressTest
@Description("tryReserve() of the last bytes under a limit on two threads")
@Outcome(id = "true, false, 60", expect = ACCEPTABLE, desc = "the first won")
@Outcome(id = "false, true, 60", expect = ACCEPTABLE, desc = "the second won")
@State
public class LastBytesUnderALimit {
  private final MemoryManager memory = Races.manager();
  private final MemoryScope scope = memory.openScope("limited", MemorySize.ofBytes(100));

  @Actor
  public void first(ZZJ_Result r) {
    r.r1 = scope.tryReserve(60).isPresent();
  }

  @Actor
  public void second(ZZJ_Result r) {
    r.r2 = scope.tryReserve(60).isPresent();
  }

  @Arbiter
  public void settle(ZZJ_Result r) {
    r.r3 = scope.reservedBytes();
  }
}
