package io.memguard.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A cache bounded in bytes whose weight the budget sees: built on Caffeine (W-TinyLFU eviction),
 * with a byte weigher, a maximum weight that is its scope's limit, and its current weight reserved
 * in that scope (a child of the scope it was built on). When the budget above the cache has less
 * room than the maximum, the cache evicts down to what the budget allows. The {@link
 * CleanupStage#CACHES} stage (run first by the emergency guard) empties it.
 *
 * <p>Entries are evicted on the calling thread (no background executor), and every write settles
 * the cache's pending work before it reads the weight, so the reservation follows every write. A
 * value heavier than the maximum is never kept. When the budget refuses the weight a write brought,
 * the cache evicts down to what it can reserve (everything, if need be): a write never throws for
 * want of memory. Thread-safe; {@link #close()} empties the cache and closes its scope, after which
 * reads miss and writes are ignored; so does closing a scope above it (the cache then empties
 * itself at its next write, never holding entries its scope no longer reserves). Closing twice is
 * harmless.
 *
 * @param <K> key type (equals and hashCode as for a map)
 * @param <V> value type
 * @since 0.1.0
 */
public final class MemoryCache<K, V> implements AutoCloseable {

  /**
   * The bytes an entry holds, as the cache should count them (the value's arrays, usually).
   *
   * @param <K> key type
   * @param <V> value type
   * @since 0.1.0
   */
  @FunctionalInterface
  public interface ByteWeigher<K, V> {
    /** The entry's bytes, at least 0. */
    long bytes(K key, V value);
  }

  private final MemoryScope scope;
  private final long maxBytes;
  private final Cache<K, V> cache;
  private final Policy.Eviction<K, V> eviction;
  private final Reservation weight;
  private final Registration emptyOnPressure;
  private final Object accounting = new Object();

  /** No more caching: closed, or its scope was closed above it. */
  private volatile boolean closed;

  private final java.util.concurrent.atomic.AtomicBoolean closeCalled =
      new java.util.concurrent.atomic.AtomicBoolean();

  private MemoryCache(Builder<K, V> b) {
    this.scope = b.parent.openChild(b.name, b.maxBytes);
    this.maxBytes = scope.limitBytes();
    ByteWeigher<K, V> weigher = b.weigher;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .<K, V>weigher((k, v) -> (int) Math.min(Integer.MAX_VALUE, weigher.bytes(k, v)))
            .executor(Runnable::run)
            .recordStats()
            .build();
    this.eviction = cache.policy().eviction().orElseThrow();
    this.weight = scope.reserve(0);
    this.emptyOnPressure =
        scope.registerCleanup(
            "memory cache '" + b.name + "': invalidate all", CleanupStage.CACHES, this::empty);
  }

  /**
   * A builder for a cache under {@code parent} of at most {@code maxBytes}, weighing entries with
   * {@code weigher}.
   */
  public static <K, V> Builder<K, V> builder(
      MemoryScope parent, MemorySize maxBytes, ByteWeigher<K, V> weigher) {
    return new Builder<>(parent, maxBytes, weigher);
  }

  /** The scope holding the cache's weight. */
  public MemoryScope scope() {
    return scope;
  }

  /** The value for {@code key}, or null (a miss). */
  public @Nullable V getIfPresent(K key) {
    return closed ? null : cache.getIfPresent(key);
  }

  /**
   * The value for {@code key}, computing and caching it on a miss (once per key when threads race).
   * After a close, computes without caching.
   */
  public V get(K key, Function<? super K, ? extends V> load) {
    if (closed) {
      return load.apply(key);
    }
    boolean[] loaded = {false};
    V v =
        cache.get(
            key,
            k -> {
              loaded[0] = true;
              return load.apply(k);
            });
    if (loaded[0]) {
      account(); // a hit changes no weight: no accounting on the read path
    }
    return v;
  }

  /** Caches {@code value} for {@code key} (evicting others if needed). */
  public void put(K key, V value) {
    if (closed) {
      return;
    }
    cache.put(key, value);
    account();
  }

  /** Removes {@code key}'s entry. */
  public void invalidate(K key) {
    cache.invalidate(key);
    account();
  }

  /** Removes every entry; returns the bytes they weighed. */
  public long invalidateAll() {
    return empty();
  }

  /** The entries' weight now, in bytes (what the scope has reserved, once writes settle). */
  public long weightBytes() {
    return eviction.weightedSize().orElse(0);
  }

  /** The maximum weight, in bytes: the scope's limit. */
  public long maxBytes() {
    return maxBytes;
  }

  /** The counters now. */
  public MemoryCacheStats stats() {
    CacheStats s = cache.stats();
    return new MemoryCacheStats(
        s.hitCount(),
        s.missCount(),
        s.evictionCount(),
        s.evictionWeight(),
        weightBytes(),
        maxBytes,
        cache.estimatedSize());
  }

  /** Empties the cache and closes its scope; idempotent. */
  @Override
  public void close() {
    if (!closeCalled.compareAndSet(false, true)) {
      return;
    }
    try {
      emptyOnPressure.close();
    } finally {
      synchronized (accounting) {
        closed = true;
        cache.invalidateAll();
        cache.cleanUp();
        weight.close();
      }
      scope.close();
    }
  }

  @Override
  public String toString() {
    return "MemoryCache[" + scope.path() + ", " + stats() + "]";
  }

  private long empty() {
    long before = weightBytes();
    cache.invalidateAll();
    cache.cleanUp();
    account();
    return before;
  }

  /**
   * Sets the reservation to the cache's weight, after settling the cache's pending writes and
   * evictions (Caffeine buffers a write whose thread found its lock taken). When the budget above
   * refuses, the cache evicts down to what it says is free, and empties itself if even that is
   * refused. When the reservation was released from above (a scope above the cache closed), the
   * cache empties itself and stops caching.
   */
  private void account() {
    synchronized (accounting) {
      if (closed || weight.isReleased()) {
        closed = true;
        cache.invalidateAll();
        cache.cleanUp();
        return;
      }
      cache.cleanUp();
      try {
        weight.resize(weightBytes());
      } catch (MemoryBudgetExceededException refused) {
        long room = weight.bytes() + Math.max(0, refused.availableBytes());
        try {
          eviction.setMaximum(Math.min(maxBytes, room));
          cache.cleanUp();
          weight.resize(weightBytes());
        } catch (MemoryBudgetExceededException refusedAgain) {
          // the room the refusal named was gone too (another reservation, or the live-heap line)
          cache.invalidateAll();
          cache.cleanUp();
          weight.resize(0);
        } finally {
          eviction.setMaximum(maxBytes);
        }
      }
    }
  }

  /**
   * Builds a {@link MemoryCache}. Not thread-safe.
   *
   * @param <K> key type
   * @param <V> value type
   * @since 0.1.0
   */
  public static final class Builder<K, V> {
    private final MemoryScope parent;
    private final MemorySize maxBytes;
    private final ByteWeigher<K, V> weigher;
    private String name = "cache";

    private Builder(MemoryScope parent, MemorySize maxBytes, ByteWeigher<K, V> weigher) {
      this.parent = Objects.requireNonNull(parent, "parent");
      this.maxBytes = Objects.requireNonNull(maxBytes, "maxBytes");
      this.weigher = Objects.requireNonNull(weigher, "weigher");
    }

    /** The cache scope's name under its parent (default {@code cache}). */
    public Builder<K, V> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Opens the cache's scope and returns the cache. */
    public MemoryCache<K, V> build() {
      return new MemoryCache<>(this);
    }
  }
}
