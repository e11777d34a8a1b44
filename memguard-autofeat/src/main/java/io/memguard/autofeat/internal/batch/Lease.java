package io.memguard.autofeat.internal.batch;

/**
 * Heap bytes reserved for memory the engine is about to allocate (or holds), released by {@link
 * #close()}; see {@link EngineHooks#reserve}. The engine takes a lease before it allocates and
 * closes it once the memory is no longer reachable from the engine. Closing twice does nothing. A
 * lease is used by the thread that took it.
 */
public interface Lease extends AutoCloseable {

  /** A lease that reserves nothing: what {@link EngineHooks#NONE} hands out. */
  Lease NONE =
      new Lease() {
        @Override
        public long bytes() {
          return 0;
        }

        @Override
        public void resize(long bytes) {}

        @Override
        public void close() {}
      };

  /** The bytes reserved now; 0 once closed. */
  long bytes();

  /**
   * Changes the reserved bytes to {@code bytes} before the engine allocates more (or after it
   * dropped some). Growing may throw like {@link EngineHooks#reserve}; shrinking never throws.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative
   * @throws IllegalStateException if the lease is closed
   */
  void resize(long bytes);

  /**
   * Resizes the lease to {@code bytes} if the memory is there, for memory the engine can do without
   * (a cache): returns false, and changes nothing, where {@link #resize} would throw for want of
   * memory.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative
   * @throws IllegalStateException if the lease is closed
   */
  default boolean tryResize(long bytes) {
    resize(bytes);
    return true;
  }

  /** Grows the lease by {@code bytes} (a shorthand for {@code resize(bytes() + bytes)}). */
  default void grow(long bytes) {
    resize(bytes() + bytes);
  }

  /** Releases the bytes; idempotent. */
  @Override
  void close();
}
