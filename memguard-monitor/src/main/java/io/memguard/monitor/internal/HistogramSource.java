package io.memguard.monitor.internal;

/** Takes class histograms; the real one asks the DiagnosticCommand MBean, tests use fakes. */
@FunctionalInterface
public interface HistogramSource {

  /**
   * Takes a histogram now, stamped with {@code nanoTime}.
   *
   * @throws Exception when the histogram cannot be taken
   */
  ClassHistogram take(long nanoTime) throws Exception;
}
