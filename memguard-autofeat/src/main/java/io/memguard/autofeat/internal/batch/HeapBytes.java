package io.memguard.autofeat.internal.batch;

/**
 * Heap sizes of the arrays the engine allocates, as upper bounds for a 64-bit HotSpot JVM: a
 * 16-byte array header and 8-byte alignment; references count 8 bytes (4 with compressed oops, so
 * this over-counts). Under G1 an array of at least half a heap region is "humongous": it takes
 * whole regions, so its size is rounded up to a multiple of the region (a 1.2 MiB column of 160,000
 * doubles takes 2 MiB of a 256 MiB heap's 1 MiB regions). Thread-safe.
 */
public final class HeapBytes {

  /** Bytes every object is assumed to take besides its fields (header and padding). */
  public static final long OBJECT = 16;

  /** Below this no array can be humongous (G1's smallest region is 1 MiB). */
  private static final long MIN_HUMONGOUS = 512 * 1024;

  /** G1's region size in bytes, 0 when another collector runs; -1 until first needed. */
  private static volatile long region = -1;

  private HeapBytes() {}

  /** A {@code double[n]} (or {@code long[n]}). */
  public static long doubles(long n) {
    return array(n, 8);
  }

  /** A {@code float[n]} (or {@code int[n]}). */
  public static long floats(long n) {
    return array(n, 4);
  }

  /** An {@code int[n]}. */
  public static long ints(long n) {
    return array(n, 4);
  }

  /** A {@code boolean[n]}. */
  public static long booleans(long n) {
    return array(n, 1);
  }

  /** An array of {@code n} references. */
  public static long refs(long n) {
    return array(n, 8);
  }

  /** A {@code double[k][n]}: the outer array and k rows. */
  public static long doubles(long k, long n) {
    return refs(k) + k * doubles(n);
  }

  private static long array(long n, long width) {
    if (n < 0) {
      throw new IllegalArgumentException("array length must be >= 0, was " + n);
    }
    long bytes = (16 + n * width + 7) & ~7L;
    if (bytes < MIN_HUMONGOUS) {
      return bytes;
    }
    long r = regionBytes();
    return r > 0 && bytes >= r / 2 ? (bytes + r - 1) / r * r : bytes;
  }

  /**
   * G1's heap region size, read once from the JVM's options (a few tens of milliseconds, only paid
   * by fits with columns of 64 Ki values or more); 0 under another collector. If the options cannot
   * be read, the size G1 would choose for this heap, and 32 MiB when the heap has no maximum.
   */
  public static long regionBytes() {
    long r = region;
    if (r >= 0) {
      return r;
    }
    try {
      com.sun.management.HotSpotDiagnosticMXBean vm =
          java.lang.management.ManagementFactory.getPlatformMXBean(
              com.sun.management.HotSpotDiagnosticMXBean.class);
      r =
          Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue())
              ? Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue())
              : 0;
    } catch (RuntimeException | LinkageError e) {
      long max = Runtime.getRuntime().maxMemory();
      r =
          max == Long.MAX_VALUE
              ? 32L << 20
              : Math.max(
                  1L << 20, Math.min(32L << 20, Long.highestOneBit(Math.max(1, max / 2048))));
    }
    region = r;
    return r;
  }
}
