package io.memguard.core;

import java.lang.management.ManagementFactory;

/** Reads the current thread's allocated bytes where the JVM supports it. */
final class ThreadAllocation {
  private static final com.sun.management.ThreadMXBean BEAN = bean();

  private ThreadAllocation() {}

  private static com.sun.management.ThreadMXBean bean() {
    try {
      if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean b
          && b.isThreadAllocatedMemorySupported()) {
        if (!b.isThreadAllocatedMemoryEnabled()) {
          b.setThreadAllocatedMemoryEnabled(true);
        }
        return b;
      }
    } catch (RuntimeException | LinkageError e) {
      // Not a HotSpot-compatible JVM, or not permitted: allocation metering reads 0.
    }
    return null;
  }

  /** Bytes the current thread has allocated since it started, or -1 when unsupported. */
  static long currentThreadAllocatedBytes() {
    return BEAN == null ? -1 : BEAN.getCurrentThreadAllocatedBytes();
  }
}
