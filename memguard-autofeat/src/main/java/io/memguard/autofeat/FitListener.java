package io.memguard.autofeat;

/**
 * Hears what a fit does. Every method has a no-op default, so implement only what you need. Methods
 * are called in order and never concurrently for one fit, under the fit's lock: on the thread that
 * runs the fit, or on one of its selection threads when selection runs in parallel (so a slow
 * listener slows the fit); a listener shared by concurrent fits must be thread-safe. A listener
 * that throws, an {@code Error} or a checked exception included, is logged (the first time at WARN,
 * then at DEBUG) and never breaks the fit. Events carry values only, never the model, so a listener
 * cannot keep a model reachable by accident.
 *
 * @since 0.1.0
 */
public interface FitListener {

  /** A listener that does nothing. */
  FitListener NONE = new FitListener() {};

  /** Progress after every batch and at phase ends. */
  default void onProgress(FitProgress progress) {}

  /** A batch finished, with its size decision and what it measured. */
  default void onBatch(BatchReport batch) {}

  /** The fit switched to (or started with) its lightweight plan; also logged at WARN. */
  default void onLightweight(LightweightEvent event) {}

  /** The fit returned a model; {@code report} is also {@link AutoFeatModel#report()}. */
  default void onFinished(FitReport report) {}

  /**
   * The fit failed or was stopped; everything it had reserved was released before this call.
   *
   * @param partial what the fit did until then ({@link FitReport#stoppedAt()} says where)
   * @param failure the exception the fit throws next
   */
  default void onFailed(FitReport partial, RuntimeException failure) {}
}
