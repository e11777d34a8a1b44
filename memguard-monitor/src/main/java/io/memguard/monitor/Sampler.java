package io.memguard.monitor;

/**
 * Measures memory for one {@link MemorySnapshot}. The monitor calls {@link #sample} on its sampler
 * thread once per period, and fills in the sequence number, times, memguard's own figures and the
 * rates derived from the previous snapshot itself.
 *
 * <p>The default, {@link MonitorConfig#sampler()} left unset, reads the JVM's MXBeans, GC
 * notifications, OSHI and the cgroup files. A custom sampler (or a fake one in tests) sets what it
 * measures on the builder and leaves the rest unknown. Called from one thread at a time.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Sampler extends AutoCloseable {

  /**
   * Sets the measured values on {@code into}. A source that fails should be reported with {@link
   * MemorySnapshot.Builder#unavailable(String, String)} and the others still set; if this method
   * throws, the monitor records the whole sampler as unavailable in that snapshot and carries on.
   *
   * @throws Exception when sampling failed as a whole
   */
  void sample(MemorySnapshot.Builder into) throws Exception;

  /** Releases what the sampler holds (listeners, native handles); idempotent. Default: nothing. */
  @Override
  default void close() {}
}
