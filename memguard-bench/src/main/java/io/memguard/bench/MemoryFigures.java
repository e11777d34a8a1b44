package io.memguard.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The process memory figures scenarios report: the peak of the heap's used bytes, sampled by a
 * daemon thread, and the peak resident set size as the kernel records it. Start it before the work,
 * {@link #close()} it after; not thread-safe apart from the sampler itself.
 *
 * <p>Heap: {@link MemoryMXBean#getHeapMemoryUsage()} {@code used}, polled every {@code periodMillis}
 * (default 10 ms), so it includes garbage not yet collected and can miss a peak shorter than the
 * period. RSS: {@code VmHWM} of {@code /proc/self/status} (Linux), the high-water mark of the
 * resident set over the whole process life, JVM start-up included; -1 where unavailable.
 */
final class MemoryFigures implements AutoCloseable {
  private final MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
  private final Thread sampler;
  private final long periodMillis;
  private volatile long peakHeapUsed;
  private volatile boolean running = true;

  private MemoryFigures(long periodMillis) {
    this.periodMillis = periodMillis;
    sample();
    sampler = new Thread(this::loop, "memguard-bench-heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Starts sampling every 10 ms. */
  static MemoryFigures start() {
    return new MemoryFigures(10);
  }

  private void loop() {
    while (running) {
      sample();
      try {
        Thread.sleep(periodMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void sample() {
    long used = bean.getHeapMemoryUsage().getUsed();
    if (used > peakHeapUsed) {
      peakHeapUsed = used;
    }
  }

  /** The highest heap used bytes sampled so far. */
  long peakHeapUsedBytes() {
    sample();
    return peakHeapUsed;
  }

  /** The maximum heap ({@code -Xmx}) in bytes. */
  long heapMaxBytes() {
    return bean.getHeapMemoryUsage().getMax();
  }

  /** The process's peak resident set size in bytes ({@code VmHWM}), or -1 if unknown. */
  static long peakRssBytes() {
    return statusKib("VmHWM:");
  }

  /** The process's resident set size now in bytes ({@code VmRSS}), or -1 if unknown. */
  static long rssBytes() {
    return statusKib("VmRSS:");
  }

  private static long statusKib(String key) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
      for (String line : lines) {
        if (line.startsWith(key)) {
          String[] parts = line.substring(key.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: unknown
    }
    return -1;
  }

  /** Stops the sampler. */
  @Override
  public void close() {
    sample();
    running = false;
    sampler.interrupt();
  }
}
