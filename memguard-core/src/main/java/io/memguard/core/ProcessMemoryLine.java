package io.memguard.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.LongSupplier;

/**
 * The process-memory line of a {@link MemoryManager}: a reservation is refused when the process's
 * resident memory (RSS) as last read, plus what it may still grow by for what was reserved since
 * and the request (below), would pass a share of the process's memory limit (its container's, or
 * one configured). The live-heap line cannot see this case: a heap larger than its container has
 * room long after the kernel's OOM killer would end the process.
 *
 * <p>The reading is renewed when the JVM has collected since it was taken (a collection is when the
 * heap grows) and when a reservation does not fit the room it left, so the check is one volatile
 * load and a comparison far from the line, and one read of {@code /proc/self/status} (about 50
 * microseconds) near it or once per collection.
 *
 * <p>What RSS may grow by: each byte reserved since the reading {@value #TOUCHED_PER_RESERVED_BYTE}
 * times (where it is allocated, young-generation pages touched for the first time while the heap
 * grows; where collections copy it, a survivor space and the old generation; and a share for what
 * the JVM allocates unreserved meanwhile), plus the young generation in use at the reading (the
 * next collection copies what of it is live into pages it may not have touched); but all together
 * no more than the heap can still grow (max heap less the heap in use at the reading) plus the
 * bytes once, for reservations of native memory. So in a container the heap fits in, the line
 * refuses only what could really pass it. Measured in a {@code -Xmx512m} JVM in a 256 MiB container
 * with a task growing its reservation with no pause: with each byte counted once, the kernel killed
 * the JVM in 2 of 3 runs; counted twice, in 1 of 5; four times, in 1 of 20; with the young
 * generation, see docs/emergency-guard.md.
 *
 * <p>Released bytes make no room until a reading shows the process's RSS fell: growth counts from
 * the fewest bytes held since the reading. The heap keeps released memory's pages, but it cannot
 * reuse them before a collection frees them, and until then the collector copies new data into
 * pages it has not touched yet (measured: counting released bytes and free heap pages as room let a
 * high-priority task that came after a refused greedy one take the JVM past its container's limit).
 * So a process whose RSS stays above the line refuses every reservation: its heap does not fit its
 * container. Thread-safe; a release costs one more volatile read.
 */
final class ProcessMemoryLine {

  /**
   * RSS read after the JVM's collection number {@code epoch}, with what the heap could still grow
   * by, the young generation then in use, and the bytes then reserved.
   */
  record Reading(
      long epoch, long rssBytes, long heapGrowthBytes, long youngBytes, long reservedAtRead) {}

  /** How many resident bytes a reserved byte may bring before the next reading (see above). */
  static final int TOUCHED_PER_RESERVED_BYTE = 4;

  private final long limitBytes;
  private final long lineBytes;
  private final double share;
  private final String limitSource;
  private final LongSupplier rss;
  private final LongSupplier collections;
  private final LongSupplier reserved;
  private final LongSupplier heapGrowth;
  private final LongSupplier youngUsed;
  private volatile Reading reading;

  /**
   * The fewest bytes the root held since the reading: growth counts from here, so bytes released
   * since the reading make no room when reserved again.
   */
  private volatile long floorSinceRead;

  private static final VarHandle FLOOR;

  static {
    try {
      FLOOR =
          MethodHandles.lookup()
              .findVarHandle(ProcessMemoryLine.class, "floorSinceRead", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * @param limitBytes the process's memory limit
   * @param share the line as a share of it
   * @param limitSource what the limit is, for messages (e.g. "the container's memory limit")
   * @param rss the resident set in bytes now
   * @param collections the collections the JVM made so far (one volatile read)
   * @param reserved the bytes the manager holds reserved now
   * @param heapGrowth how much more of the heap could become resident (max heap less heap in use)
   * @param youngUsed the young generation in use now (what the next collection may copy)
   */
  ProcessMemoryLine(
      long limitBytes,
      double share,
      String limitSource,
      LongSupplier rss,
      LongSupplier collections,
      LongSupplier reserved,
      LongSupplier heapGrowth,
      LongSupplier youngUsed) {
    this.limitBytes = limitBytes;
    this.share = share;
    this.lineBytes = (long) (limitBytes * share);
    this.limitSource = limitSource;
    this.rss = rss;
    this.collections = collections;
    this.reserved = reserved;
    this.heapGrowth = heapGrowth;
    this.youngUsed = youngUsed;
    this.reading = new Reading(-1, 0, 0, 0, 0);
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
    return fits(refresh(), reservedAfter);
  }

  /** After a release left the root holding {@code reservedNow}: lowers the floor. */
  void releasedTo(long reservedNow) {
    for (long f = floorSinceRead; reservedNow < f; f = floorSinceRead) {
      if (FLOOR.compareAndSet(this, f, reservedNow)) {
        return;
      }
    }
  }

  private boolean fits(Reading r, long reservedAfter) {
    long added = Math.max(0, reservedAfter - Math.min(r.reservedAtRead(), floorSinceRead));
    return added == 0 ? r.rssBytes() <= lineBytes : growth(r, added) <= lineBytes - r.rssBytes();
  }

  /** How much RSS may grow when {@code added} bytes are reserved after reading {@code r}. */
  private static long growth(Reading r, long added) {
    long counted =
        added > (Long.MAX_VALUE - r.youngBytes()) / TOUCHED_PER_RESERVED_BYTE
            ? Long.MAX_VALUE
            : r.youngBytes() + TOUCHED_PER_RESERVED_BYTE * added;
    long bounded =
        r.heapGrowthBytes() > Long.MAX_VALUE - added ? Long.MAX_VALUE : r.heapGrowthBytes() + added;
    return Math.min(counted, bounded);
  }

  /**
   * The bytes reservations could add now before the line refuses them, on the latest reading (no
   * new read), less what was reserved since: the larger of a quarter of the distance from RSS to
   * the line less the young generation, and that distance less what the heap can still grow.
   * Long.MAX_VALUE before the first reading.
   */
  long roomBytes() {
    Reading r = reading;
    if (r.epoch() < 0) {
      return Long.MAX_VALUE;
    }
    long added = Math.max(0, reserved.getAsLong() - Math.min(r.reservedAtRead(), floorSinceRead));
    long distance = lineBytes - r.rssBytes();
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

  /** Reads RSS again; the bytes reserved first, so a reservation racing the read counts twice. */
  synchronized Reading refresh() {
    long epoch = collections.getAsLong();
    long reservedNow = reserved.getAsLong();
    long growth = Math.max(0, heapGrowth.getAsLong());
    long young = Math.max(0, youngUsed.getAsLong());
    long resident = rss.getAsLong();
    Reading r = new Reading(epoch, Math.max(0, resident), growth, young, reservedNow);
    floorSinceRead = reservedNow;
    reading = r;
    return r;
  }
}
