package io.memguard.autofeat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a fit's {@link FitListener}: a listener that throws is logged once at WARN, then at DEBUG,
 * and the fit goes on. Not thread-safe: the fit calls it one call at a time (under its lock while
 * the engine runs).
 */
final class FitListeners {
  private static final Logger log = LoggerFactory.getLogger(AutoFeatProcessor.class);

  private final FitListener delegate;
  private boolean warned;

  FitListeners(FitListener delegate) {
    this.delegate = delegate;
  }

  void progress(FitProgress p) {
    try {
      delegate.onProgress(p);
    } catch (Throwable e) {
      failed("onProgress", e);
    }
  }

  void batch(BatchReport b) {
    try {
      delegate.onBatch(b);
    } catch (Throwable e) {
      failed("onBatch", e);
    }
  }

  void lightweight(LightweightEvent event) {
    try {
      delegate.onLightweight(event);
    } catch (Throwable e) {
      failed("onLightweight", e);
    }
  }

  void finished(FitReport r) {
    try {
      delegate.onFinished(r);
    } catch (Throwable e) {
      failed("onFinished", e);
    }
  }

  void failed(FitReport r, RuntimeException failure) {
    try {
      delegate.onFailed(r, failure);
    } catch (Throwable e) {
      failed("onFailed", e);
    }
  }

  private void failed(String method, Throwable e) {
    if (!warned) {
      warned = true;
      log.warn(
          "autofeat: fit listener {}.{} threw; the fit goes on (further listener failures"
              + " are logged at DEBUG)",
          delegate.getClass().getName(),
          method,
          e);
    } else {
      log.debug("autofeat: fit listener {}.{} threw", delegate.getClass().getName(), method, e);
    }
  }
}
