package io.memguard.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The process-memory line of a {@link MemoryManager}: a reservation is refused when the process's
 * resident memory (RSS) as last read, plus what it may still grow by for what was reserved since
 * and the request (below), would pass a share of the process's memory limit (its container's, or
 * one configured). The live-heap line cannot see this case: a heap larger than its container has
 * room long after the kernel's OOM killer would end the process.
 *
 * <p>The reading is renewed when the JVM has collected since it was taken (as the collectors'
 * notifications tell, which can lag under load) and when a reservation does not fit the room it
 * left, at most once a millisecond (a reading another thread just took is reused). So far from the
 * line the check is three volatile loads and a comparison; near it, one read of {@code
 * /proc/self/status} (about 50 microseconds).
 *
 * <p>What RSS may grow by: each byte reserved since the reading {@value #TOUCHED_PER_RESERVED_BYTE}
 * times (where it is allocated, young-generation pages touched for the first time while the heap
 * grows; where collections copy it, a survivor space and the old generation; and a share for what
 * the JVM allocates unreserved meanwhile), plus the young generation in use at the reading (the
 * next collection copies what of it is live into pages it may not have touched); but all together
 * no more than the heap can still grow (max heap less the heap in use at the reading) plus the
 * bytes once, for reservations of native memory. Measured in a {@code -Xmx512m} JVM in a 256 MiB
 * container with a task growing its reservation with no pause: with each byte counted once, the
 * kernel killed the JVM in 2 of 3 runs; counted twice, in 1 of 5; four times, in 1 of 20; as built,
 * in none of 20 (docs/emergency-guard.md).
 *
 * <p>Released bytes make no room until a reading shows the process's RSS fell: growth counts from
 * the fewest bytes held since the reading. The heap keeps released memory's pages, but it cannot
 * reuse them before a collection frees them, and until then the collector copies new data into
 * pages it has not touched yet (measured: counting released bytes and free heap pages as room let a
 * high-priority task that came after a refused greedy one take the JVM past its container's limit).
 * So a process whose RSS stays above the line refuses every reservation. Thread-safe.
 */
final class ProcessMemoryLine {

  /**
   * RSS read after the JVM's collection number {@code epoch}, with what the heap could still grow
   * by, the young generation then in use, the bytes then reserved, when it was read, and the fewest
   * bytes the root held since (lowered by releases).
   */
  record Reading(
      long epoch,
      long rssBytes,
      long heapGrowthBytes,
      long youngBytes,
      long reservedAtRead,
      long readAtNanos,
      AtomicLong floor) {

    /** Bytes added since this reading if the root holds {@code reservedAfter}. */
    long added(long reservedAfter) {
      return Math.max(0, reservedAfter - Math.min(reservedAtRead, floor.get()));
    }
  }

  /** How many resident bytes a reserved byte may bring before the next reading (see above). */
  static final int TOUCHED_PER_RESERVED_BYTE = 4;

  /** A reading younger than this is reused rather than taken again. */
  private static final long MIN_REREAD_NANOS = 1_000_000;

  private final long limitBytes;
  private final long lineBytes;
  private final double share;
  private final String limitSource;
  private final LongSupplier rss;
  private final LongSupplier collections;
  private final LongSupplier reserved;
  private final LongSupplier heapGrowth;
  private final LongSupplier youngUsed;
  private final Ticker ticker;
  private volatile Reading reading;

  /**
   * @param limitBytes the process's memory limit
   * @param share the line as a share of it
   * @param limitSource what the limit is, for messages (e.g. "the container's memory limit")
   * @param rss the resident set in bytes now (-1 when it cannot be read)
   * @param collections the collections the JVM made so far (one volatile read)
   * @param reserved the bytes the manager holds reserved now
   * @param heapGrowth how much more of the heap could become resident (max heap less heap in use)
   * @param youngUsed the young generation in use now (what the next collection may copy)
   * @param ticker the time source for the readings' age
   */
  ProcessMemoryLine(
      long limitBytes,
      double share,
      String limitSource,
      LongSupplier rss,
      LongSupplier collections,
      LongSupplier reserved,
      LongSupplier heapGrowth,
      LongSupplier youngUsed,
      Ticker ticker) {
    this.limitBytes = limitBytes;
    this.share = share;
    this.lineBytes = (long) (limitBytes * share);
    this.limitSource = limitSource;
    this.rss = rss;
    this.collections = collections;
    this.reserved = reserved;
    this.heapGrowth = heapGrowth;
    this.youngUsed = youngUsed;
    this.ticker = ticker;
    this.reading = new Reading(-1, 0, 0, 0, 0, 0, new AtomicLong());
  }

  long limitBytes() {
    return limitBytes;
  }

  long lineBytes() {
    return lineBytes;
  }

  double share() {
    return share;
  }

  String limitSource() {
    return limitSource;
  }

  /** Whether the root may hold {@code reservedAfter} bytes. */
  boolean admits(long reservedAfter) {
    Reading r = reading;
    if (r.epoch() == collections.getAsLong() && fits(r, reservedAfter)) {
      return true;
    }
    return fits(refresh(r), reservedAfter);
  }

  /** After a release left the root holding {@code reservedNow}: lowers the reading's floor. */
  void releasedTo(long reservedNow) {
    AtomicLong floor = reading.floor();
    for (long f = floor.get(); reservedNow < f; f = floor.get()) {
      if (floor.compareAndSet(f, reservedNow)) {
        return;
      }
    }
  }

  private boolean fits(Reading r, long reservedAfter) {
    return growth(r, r.added(reservedAfter)) <= lineBytes - r.rssBytes();
  }

  /** How much RSS may grow when {@code added} bytes are reserved after reading {@code r}. */
  static long growth(Reading r, long added) {
    long counted =
        added > (Long.MAX_VALUE - r.youngBytes()) / TOUCHED_PER_RESERVED_BYTE
            ? Long.MAX_VALUE
            : r.youngBytes() + TOUCHED_PER_RESERVED_BYTE * added;
    long bounded =
        r.heapGrowthBytes() > Long.MAX_VALUE - added ? Long.MAX_VALUE : r.heapGrowthBytes() + added;
    return Math.min(counted, bounded);
  }

  /**
   * The bytes reservations could add now before the line refuses them (the latest reading, or a
   * first one), less what was reserved since: the larger of a quarter of the distance from RSS to
   * the line less the young generation, and that distance less what the heap can still grow.
   */
  long roomBytes() {
    Reading r = reading;
    if (r.epoch() < 0) {
      r = refresh(r);
    }
    long added = r.added(reserved.getAsLong());
    long distance = lineBytes - r.rssBytes();
    if (distance < Math.min(r.youngBytes(), r.heapGrowthBytes())) {
      return 0;
    }
    long beyondYoung = (distance - r.youngBytes()) / TOUCHED_PER_RESERVED_BYTE;
    long beyondHeap = r.heapGrowthBytes() >= distance ? 0 : distance - r.heapGrowthBytes();
    return Math.max(0, Math.max(beyondYoung, beyondHeap) - added);
  }

  /** Whether the latest reading (no new read) refuses the root {@code reservedAfter} bytes. */
  boolean refusesOnLatest(long reservedAfter) {
    Reading r = reading;
    return r.epoch() >= 0 && !fits(r, reservedAfter);
  }

  /** The latest reading (for messages). */
  Reading latest() {
    return reading;
  }

  /**
   * A reading at least as new as {@code seen}: another thread's if it took one since, or the last
   * one if it is younger than a millisecond and no collection came since, else a new one (the bytes
   * reserved read first, so a reservation racing the read counts twice). A failed read of RSS keeps
   * the last reading.
   */
  synchronized Reading refresh(Reading seen) {
    Reading current = reading;
    long epoch = collections.getAsLong();
    long now = ticker.read();
    if (current.epoch() == epoch
        && current.epoch() >= 0
        && (current != seen || now - current.readAtNanos() < MIN_REREAD_NANOS)) {
      return current;
    }
    long reservedNow = reserved.getAsLong();
    long growth = Math.max(0, heapGrowth.getAsLong());
    long young = Math.max(0, youngUsed.getAsLong());
    long resident = rss.getAsLong();
    if (resident < 0 && current.epoch() >= 0) {
      // RSS unreadable now: the last figures stand, marked current so the next reservation does
      // not try again before the next collection
      Reading kept =
          new Reading(
              epoch,
              current.rssBytes(),
              current.heapGrowthBytes(),
              current.youngBytes(),
              current.reservedAtRead(),
              now,
              current.floor());
      reading = kept;
      return kept;
    }
    Reading r =
        new Reading(
            epoch,
            Math.max(0, resident),
            growth,
            young,
            reservedNow,
            now,
            new AtomicLong(reservedNow));
    reading = r;
    // a release between reading the bytes reserved and publishing must still lower the floor
    releasedTo(reserved.getAsLong());
    return r;
  }
}
