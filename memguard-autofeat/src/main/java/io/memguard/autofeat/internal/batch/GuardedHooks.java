package io.memguard.autofeat.internal.batch;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps {@link EngineHooks} for one fit so that observation never breaks the computation:
 * exceptions from {@link EngineHooks#batchDone} and {@link EngineHooks#progress} are logged (the
 * first at WARN, later ones at DEBUG) and swallowed, while {@link EngineHooks#checkCancelled()},
 * {@link EngineHooks#nextBatchSize}, {@link EngineHooks#reserve} and {@link
 * EngineHooks#phaseStarted} pass through; not thread-safe (one per fit).
 */
public final class GuardedHooks implements EngineHooks {

  private static final Logger LOG = LoggerFactory.getLogger(GuardedHooks.class);

  private final EngineHooks delegate;
  private volatile boolean warned;

  private GuardedHooks(EngineHooks delegate) {
    this.delegate = delegate;
  }

  /** Wraps {@code hooks} (returns it unchanged if it is already guarded). */
  public static GuardedHooks of(EngineHooks hooks) {
    Objects.requireNonNull(hooks, "hooks");
    return hooks instanceof GuardedHooks g ? g : new GuardedHooks(hooks);
  }

  @Override
  public int nextBatchSize(String phase, int step, int suggested, long bytesPerCandidate) {
    return Math.max(1, delegate.nextBatchSize(phase, step, suggested, bytesPerCandidate));
  }

  @Override
  public Lease reserve(String what, long bytes) {
    return delegate.reserve(what, bytes);
  }

  @Override
  public AutoCloseable threadStarted(String name) {
    try {
      AutoCloseable c = delegate.threadStarted(name);
      return c == null ? () -> {} : c;
    } catch (RuntimeException e) {
      failed(e);
      return () -> {};
    }
  }

  @Override
  public void batchDone(BatchStats stats) {
    try {
      delegate.batchDone(stats);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void phaseStarted(String phase, long storeBytes) {
    delegate.phaseStarted(phase, storeBytes);
  }

  @Override
  public void checkCancelled() {
    delegate.checkCancelled();
  }

  @Override
  public void progress(String phase, int step, int batchIndex, int batchCount, double percent) {
    try {
      delegate.progress(phase, step, batchIndex, batchCount, percent);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void decided(String decision) {
    try {
      delegate.decided(decision);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  private void failed(RuntimeException e) {
    if (!warned) {
      warned = true;
      LOG.warn(
          "an engine hook threw; the fit goes on (further hook failures are logged at DEBUG)", e);
    } else {
      LOG.debug("an engine hook threw", e);
    }
  }
}
