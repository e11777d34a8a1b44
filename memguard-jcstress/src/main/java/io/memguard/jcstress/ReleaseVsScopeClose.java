package io.memguard.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.Reservation;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

/**
 * A reservation released while its scope closes: the bytes go back up the tree exactly once, and
 * are reported as a leak only when the close took them.
 *
 * <p>Result: the parent's reserved bytes, the root's, the bytes reported leaked, the reservations
 * the leak reports name (summed over reports, so a report of the right bytes with a wrong count, or
 * two reports, fail).
 */
@JCStressTest
@Description("Reservation.close() against its scope's close()")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "the release came first")
@Outcome(
    id = "0, 0, 100, 1",
    expect = ACCEPTABLE_INTERESTING,
    desc = "the close came first and reported the 100 bytes of 1 reservation once")
@State
public class ReleaseVsScopeClose {
  private final MemoryManager memory = Races.manager();
  private final MemoryScope parent = memory.openScope("parent");
  private final MemoryScope scope = parent.openChild("scope");
  private final Reservation reservation = scope.reserve(100);
  private final AtomicLong reservationsReportedLeaked = new AtomicLong();

  {
    memory.addLeakListener(leak -> reservationsReportedLeaked.addAndGet(leak.reservations()));
  }

  @Actor
  public void release() {
    reservation.close();
  }

  @Actor
  public void closeScope() {
    scope.close();
  }

  @Arbiter
  public void settle(JJJJ_Result r) {
    r.r1 = parent.reservedBytes();
    r.r2 = memory.reservedBytes();
    r.r3 = memory.stats().leakedBytes();
    r.r4 = reservationsReportedLeaked.get();
  }
}
