package io.memguard.monitor.internal;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Class histograms from the HotSpot {@code DiagnosticCommand} MBean's {@code gcClassHistogram}
 * operation (the same as {@code jcmd <pid> GC.class_histogram}). It counts only live objects, so it
 * first runs a full GC: callers take it rarely and only on suspicion. Thread-safe.
 */
public final class DiagnosticCommandHistograms implements HistogramSource {
  private static final String BEAN = "com.sun.management:type=DiagnosticCommand";

  @Override
  public ClassHistogram take(long nanoTime) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Object out =
        server.invoke(
            new ObjectName(BEAN),
            "gcClassHistogram",
            new Object[] {new String[0]},
            new String[] {String[].class.getName()});
    if (!(out instanceof String text)) {
      throw new IllegalStateException(BEAN + " gcClassHistogram returned " + out);
    }
    return ClassHistogram.parse(text, nanoTime);
  }
}
