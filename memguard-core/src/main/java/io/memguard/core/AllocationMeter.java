package io.memguard.core;

/**
 * Measures what one thread allocates between its creation and {@link #close()}, and adds it to a
 * scope's {@link MemoryScope#allocatedBytes()}. Use it on the thread that created it, in
 * try-with-resources; closing twice adds nothing more. Not thread-safe.
 *
 * @since 0.1.0
 */
public interface AllocationMeter extends AutoCloseable {

  /** Bytes the thread allocated since the meter started (so far, or in total once closed). */
  long allocatedBytes();

  /** Stops measuring and adds the result to the scope. */
  @Override
  void close();
}
