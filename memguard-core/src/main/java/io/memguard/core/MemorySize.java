package io.memguard.core;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of memory: either an absolute number of bytes or a share of the JVM's maximum heap.
 *
 * <p>Parsing accepts a plain number of bytes ({@code 1048576}), a number with a binary unit ({@code
 * 64k}, {@code 512m}, {@code 2g}, {@code 64KiB}, {@code 512 MiB}, {@code 2GB} — all powers of 1024)
 * and a percentage of the maximum heap ({@code 80%}). Printing uses the largest binary unit that
 * keeps one decimal ({@code "1.5 GiB"}). Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class MemorySize implements Comparable<MemorySize> {
  private static final long KIB = 1024L;
  private static final long MIB = KIB * 1024;
  private static final long GIB = MIB * 1024;
  private static final long TIB = GIB * 1024;
  private static final Pattern SIZE =
      Pattern.compile(
          "\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?)(?:i?b)?\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern PERCENT = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*%\\s*");

  private final long bytes;
  private final double heapPercent;

  private MemorySize(long bytes, double heapPercent) {
    this.bytes = bytes;
    this.heapPercent = heapPercent;
  }

  /**
   * An absolute size.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative
   */
  public static MemorySize ofBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
    return new MemorySize(bytes, Double.NaN);
  }

  /**
   * {@code kib * 1024} bytes; throws {@link IllegalArgumentException} if negative or overflowing.
   */
  public static MemorySize ofKibibytes(long kib) {
    return ofBytes(multiply(kib, KIB, "KiB"));
  }

  /**
   * {@code mib * 1024^2} bytes; throws {@link IllegalArgumentException} if negative or overflowing.
   */
  public static MemorySize ofMebibytes(long mib) {
    return ofBytes(multiply(mib, MIB, "MiB"));
  }

  /**
   * {@code gib * 1024^3} bytes; throws {@link IllegalArgumentException} if negative or overflowing.
   */
  public static MemorySize ofGibibytes(long gib) {
    return ofBytes(multiply(gib, GIB, "GiB"));
  }

  /**
   * A share of the maximum heap ({@code Runtime.maxMemory()}), resolved when {@link #toBytes()} is
   * called.
   *
   * @param percent in (0, 100]
   * @throws IllegalArgumentException if {@code percent} is outside (0, 100]
   */
  public static MemorySize percentOfMaxHeap(double percent) {
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException("percent of max heap must be in (0, 100], got " + percent);
    }
    return new MemorySize(-1, percent);
  }

  /**
   * Parses {@code "1048576"}, {@code "512m"}, {@code "64 KiB"}, {@code "2GB"} or {@code "80%"}.
   *
   * @throws IllegalArgumentException naming the text when it is not a size
   */
  public static MemorySize parse(String text) {
    Objects.requireNonNull(text, "text");
    Matcher percent = PERCENT.matcher(text);
    if (percent.matches()) {
      return percentOfMaxHeap(Double.parseDouble(percent.group(1)));
    }
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a memory size: '" + text + "' (use e.g. 1048576, 64k, 512m, 2g, 512 MiB or 80%)");
    }
    long unit =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "k" -> KIB;
          case "m" -> MIB;
          case "g" -> GIB;
          case "t" -> TIB;
          default -> 1L;
        };
    double value = Double.parseDouble(m.group(1)) * unit;
    if (value >= Long.MAX_VALUE) {
      throw new IllegalArgumentException("memory size too large: '" + text + "'");
    }
    return ofBytes((long) value);
  }

  /** True when this size is a share of the maximum heap rather than a fixed number of bytes. */
  public boolean isRelativeToHeap() {
    return !Double.isNaN(heapPercent);
  }

  /**
   * The size in bytes; a heap share is resolved against the current {@code Runtime.maxMemory()}.
   */
  public long toBytes() {
    return isRelativeToHeap() ? resolve(maxHeapBytes()) : bytes;
  }

  /** The size in bytes, resolving a heap share against the given maximum heap in bytes. */
  public long resolve(long maxHeapBytes) {
    return isRelativeToHeap() ? (long) (maxHeapBytes * (heapPercent / 100.0)) : bytes;
  }

  /** The JVM's maximum heap in bytes, from the memory MXBean, or {@code Runtime.maxMemory()}. */
  public static long maxHeapBytes() {
    long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    return max > 0 ? max : Runtime.getRuntime().maxMemory();
  }

  /** Formats a byte count with a binary unit, e.g. {@code 1536 -> "1.5 KiB"}; negative as is. */
  public static String format(long bytes) {
    if (bytes < 0) {
      return bytes + " B";
    }
    if (bytes < KIB) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  private static long multiply(long value, long unit, String unitName) {
    if (value < 0) {
      throw new IllegalArgumentException(unitName + " must be >= 0, got " + value);
    }
    try {
      return Math.multiplyExact(value, unit);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(value + " " + unitName + " overflows a long of bytes", e);
    }
  }

  @Override
  public int compareTo(MemorySize other) {
    return Long.compare(toBytes(), other.toBytes());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MemorySize that
        && bytes == that.bytes
        && Double.compare(heapPercent, that.heapPercent) == 0;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(bytes) * 31 + Double.hashCode(heapPercent);
  }

  @Override
  public String toString() {
    return isRelativeToHeap()
        ? String.format(Locale.ROOT, "%s%% of max heap", stripZeros(heapPercent))
        : format(bytes);
  }

  private static String stripZeros(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
