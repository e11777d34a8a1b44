package io.memguard.bench.jmh;

import io.memguard.core.ArrayPool;
import io.memguard.core.LeakDetection;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Borrowing a {@code double[]} from an {@link ArrayPool} and giving it back, against allocating it
 * with {@code new}, for 1 Ki, 64 Ki and 1 Mi elements, on one thread and two (each borrower's bytes
 * reserved in a shared scope, as in a pipeline). Run with {@code -prof gc} for the allocation rate.
 * Neither variant writes the array: what is compared is what each costs before use ({@code new}
 * zeroes it, the pool does not).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m"})
@State(Scope.Benchmark)
public class ArrayPoolBenchmark {

  @Param({"1024", "65536", "1048576"})
  public int length;

  private MemoryManager memory;
  private MemoryScope scope;
  private ArrayPool pool;

  @Setup(Level.Trial)
  public void setUp() {
    memory =
        MemoryManager.builder()
            .limit(MemorySize.ofGibibytes(1))
            .leakDetection(LeakDetection.SAMPLED)
            .build();
    scope = memory.openScope("bench");
    pool = ArrayPool.builder(memory.rootScope()).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
    memory.close();
  }

  @Benchmark
  @Threads(1)
  public void pooled(Blackhole bh) {
    double[] a = pool.borrowDoubles(scope, length);
    bh.consume(a);
    pool.giveBack(a);
  }

  @Benchmark
  @Threads(1)
  public void allocated(Blackhole bh) {
    bh.consume(new double[length]);
  }

  @Benchmark
  @Threads(2)
  public void pooledTwoThreads(Blackhole bh) {
    double[] a = pool.borrowDoubles(scope, length);
    bh.consume(a);
    pool.giveBack(a);
  }

  @Benchmark
  @Threads(2)
  public void allocatedTwoThreads(Blackhole bh) {
    bh.consume(new double[length]);
  }
}
