package io.memguard.bench.jmh;

import io.memguard.core.LeakDetection;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot path of core: reserve and release in a scope one level below the root, alone and with two
 * threads on the same scope, in each leak detection mode but TRACK_SITES, with and without the
 * process-memory line; reading the pressure level; opening and closing a child scope.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m"})
@State(Scope.Benchmark)
public class ReserveReleaseBenchmark {

  @Param({"SAMPLED", "OFF", "SAFETY_NET"})
  public String leakDetection;

  /**
   * {@code none}: no process-memory line (this machine has no container limit); {@code far}: a line
   * at 95% of a 64 GiB limit, far from RSS, so each reservation pays the line's fast path.
   */
  @Param({"none", "far"})
  public String processMemoryLine;

  private MemoryManager memory;
  private MemoryScope scope;

  @Setup(Level.Trial)
  public void setUp() {
    MemoryManager.Builder builder =
        MemoryManager.builder()
            .limit(MemorySize.ofGibibytes(1))
            .leakDetection(LeakDetection.valueOf(leakDetection));
    if (processMemoryLine.equals("far")) {
      builder.processMemoryLimit(MemorySize.ofGibibytes(64), 0.95);
    } else {
      builder.noProcessMemoryLimit();
    }
    memory = builder.build();
    scope = memory.openScope("bench");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    memory.close();
  }

  @Benchmark
  @Threads(1)
  public long reserveRelease() {
    Reservation r = scope.reserve(4096);
    long b = r.bytes();
    r.close();
    return b;
  }

  @Benchmark
  @Threads(2)
  public long reserveReleaseTwoThreadsOneScope() {
    Reservation r = scope.reserve(4096);
    long b = r.bytes();
    r.close();
    return b;
  }

  @Benchmark
  @Threads(1)
  public Object pressureLevelRead() {
    return memory.pressureLevel();
  }

  @Benchmark
  @Threads(1)
  public long openCloseChildScope() {
    MemoryScope child = scope.openChild("child");
    long reserved = child.reservedBytes();
    child.close();
    return reserved;
  }
}
