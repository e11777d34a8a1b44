package io.memguard.autofeat.internal.batch;

/**
 * Heap sizes of the arrays the engine allocates, as upper bounds for a 64-bit HotSpot JVM: a 16-byte array header
 * and 8-byte alignment; references count 8 bytes (4 with compressed oops, so this over-counts). Stateless.
 */
public final class HeapBytes {

    /** Bytes every object is assumed to take besides its fields (header and padding). */
    public static final long OBJECT = 16;

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
        return (16 + n * width + 7) & ~7L;
    }
}
