package io.memguard.bench.jmh;

import io.memguard.core.MemoryManager;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MemorySnapshot;
import io.memguard.monitor.MonitorConfig;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full monitor tick (JVM sampler, history, leak evaluation, alert rules, emergency guard,
 * pressure refresh), back to back on a warm JIT: the lower bound of a sample's cost, and with
 * {@code -prof gc} the bytes one sample allocates. {@code osRefresh} 0 reads OSHI and the cgroup
 * files every sample; the default (1 s) reads them once a second.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m"})
@State(Scope.Benchmark)
public class MonitorSampleBenchmark {

  @Param({"0", "1000"})
  public long osRefreshMillis;

  private MemoryManager memory;
  private MemoryMonitor monitor;

  @Setup(Level.Trial)
  public void setUp() {
    memory = MemoryManager.builder().build();
    monitor =
        MemoryMonitor.manual(
            memory,
            MonitorConfig.builder()
                .osRefresh(Duration.ofMillis(osRefreshMillis))
                .logAlerts(false)
                .build());
    monitor.sampleNow(); // OSHI's start-up, outside the measurement
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    monitor.close();
    memory.close();
  }

  @Benchmark
  public MemorySnapshot sample() {
    return monitor.sampleNow();
  }
}
