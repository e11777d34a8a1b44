package io.memguard.bench.jmh;

import io.memguard.core.MemoryManager;
import io.memguard.micrometer.MemguardMetrics;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MonitorConfig;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One scrape of {@link MemguardMetrics}: every meter it bound to a registry measured once, as a
 * registry's publication (or a Prometheus scrape) reads them. With {@code -prof gc}, the bytes a
 * scrape allocates.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m"})
@State(Scope.Benchmark)
public class MetricsScrapeBenchmark {
  private MemoryManager memory;
  private MemoryMonitor monitor;
  private MemguardMetrics metrics;
  private SimpleMeterRegistry registry;

  @Setup(Level.Trial)
  public void setUp() {
    memory = MemoryManager.builder().build();
    monitor = MemoryMonitor.manual(memory, MonitorConfig.builder().logAlerts(false).build());
    monitor.sampleNow();
    registry = new SimpleMeterRegistry();
    metrics = new MemguardMetrics(monitor);
    metrics.bindTo(registry);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    metrics.close();
    monitor.close();
    memory.close();
  }

  @Benchmark
  public double scrape() {
    double sum = 0;
    for (Meter m : registry.getMeters()) {
      for (Measurement x : m.measure()) {
        sum += x.getValue();
      }
    }
    return sum;
  }
}
