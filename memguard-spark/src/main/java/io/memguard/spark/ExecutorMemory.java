package io.memguard.spark;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * The one {@link MemoryManager} of this executor JVM (the driver's, in local mode), shared by every
 * memguard task that runs in it: built on first use, kept until the JVM ends.
 *
 * <p>Its budget is Spark's <em>user memory</em>, the part of the heap Spark's unified memory
 * manager leaves to user code: {@code (max heap - 300 MiB) * (1 - spark.memory.fraction)} (the
 * fraction is 0.6 unless configured; read from the running {@code SparkEnv}, or, when the manager
 * is built before Spark runs in this JVM, from the system property spark-submit sets), at least 16
 * MiB. Spark's execution and storage memory stay Spark's; what memguard's tasks hold (row blocks,
 * models) is the user data that region exists for. The system property {@code
 * memguard.spark.budget} (a size such as {@code 512m}, read when the manager is built) replaces the
 * computed budget.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class ExecutorMemory {
  private static final long RESERVED_SYSTEM_BYTES = 300L << 20;
  private static final long MIN_BUDGET = 16L << 20;

  private static volatile MemoryManager manager;

  private ExecutorMemory() {}

  /** This JVM's manager, built on first use. */
  public static MemoryManager manager() {
    MemoryManager m = manager;
    if (m == null) {
      synchronized (ExecutorMemory.class) {
        m = manager;
        if (m == null) {
          long budget = budgetBytes(Runtime.getRuntime().maxMemory(), memoryFraction());
          m =
              MemoryManager.builder()
                  .name("spark-executor")
                  .limit(MemorySize.ofBytes(budget))
                  .build();
          manager = m;
        }
      }
    }
    return m;
  }

  /**
   * The budget for a heap of {@code maxHeapBytes} when Spark's unified memory takes {@code
   * memoryFraction} of it above its 300 MiB reserve; {@code memguard.spark.budget} when set.
   */
  static long budgetBytes(long maxHeapBytes, double memoryFraction) {
    String override = System.getProperty("memguard.spark.budget");
    if (override != null && !override.isBlank()) {
      return MemorySize.parse(override.trim()).toBytes();
    }
    long usable = Math.max(0, maxHeapBytes - RESERVED_SYSTEM_BYTES);
    return Math.max(MIN_BUDGET, (long) (usable * (1 - memoryFraction)));
  }

  private static double memoryFraction() {
    SparkEnv env = SparkEnv.get();
    return memoryFraction(env == null ? null : env.conf());
  }

  /** The fraction in {@code conf}, or in the system properties when Spark is not running (null). */
  static double memoryFraction(SparkConf conf) {
    // before Spark runs in this JVM (a driver that builds the manager first): the value that
    // spark-submit passes as a system property, which SparkConf itself would read
    String v =
        conf != null
            ? conf.get("spark.memory.fraction", "0.6")
            : System.getProperty("spark.memory.fraction", "0.6");
    try {
      double f = Double.parseDouble(v.trim().toLowerCase(Locale.ROOT));
      return f >= 0 && f < 1 ? f : 0.6;
    } catch (NumberFormatException e) {
      return 0.6;
    }
  }
}
