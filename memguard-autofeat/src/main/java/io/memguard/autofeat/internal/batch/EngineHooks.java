package io.memguard.autofeat.internal.batch;

/**
 * Callbacks through which a caller sizes, observes and cancels the engine's batches;
 * implementations must be thread-safe when selection runs on several threads: its runs then call
 * them from threads of their own, and a run's chunks may be fitted, and reported through {@link
 * #batchDone} and {@link #progress}, by any of those threads (progress counts of a run still only
 * grow).
 *
 * <p>Order: {@link #phaseStarted} {@code "generate"}, then per batch {@link #checkCancelled()},
 * {@link #nextBatchSize}, the batch, {@link #batchDone}, {@link #progress}; {@link #phaseStarted}
 * {@code "select"} (per run: {@link #checkCancelled()}, {@link #nextBatchSize} once or twice (see
 * below), then per chunk {@link #checkCancelled()}, the chunk, {@link #batchDone}, {@link
 * #progress}); {@link #phaseStarted} {@code "model"}, {@link #checkCancelled()}, {@link
 * #nextBatchSize} {@code ("model", 0, selected features, bytes per feature)} whose answer caps the
 * features the final model uses (best-ranked first). A fit with at least two rows per fold asks
 * {@code ("model-in-memory", ...)} instead: an answer below the features, or a lease for their
 * values that cannot grow ({@link Lease#tryResize}), makes it fit the model over blocks of rows (a
 * regression from per-fold sums, a classifier by Newton passes with its penalties from a sample),
 * whose features {@code ("model-sums", 0, selected features, bytes per feature)} caps; a classifier
 * then asks {@code ("model-sample", 0, rows beyond the smallest sample, bytes per row)} for more
 * sample rows (1, the least an answer counts as, adds none). A classifier takes Newton passes only
 * where they need fewer bytes than the in-memory model with its smallest sample (not on a few
 * thousand rows); finally {@link #phaseStarted} {@code "done"} just before fit returns.
 *
 * <p>Phases: {@code "generate"} (feature generation; step = feature-engineering step 1..n, a batch
 * is a group of candidate features), {@code "filter"} (the final correlation filter of generation),
 * {@code "select"} (feature selection; step = selection run 1..runs, a batch is one chunk of
 * columns fitted together, and the final aggregation reports step 0) and {@code "model"} (the final
 * model). In selection, when the run's initial fit may take all P columns, {@link #nextBatchSize}
 * is first asked {@code ("select-initial", run, P, m * 8)}: an answer of at least P grants the
 * initial fit on all columns and caps every chunk; a smaller one falls back to the screened initial
 * fit, and if it exceeds the screened width the engine asks again {@code ("select", run, width, m *
 * 8)} to size the run's fits to what it uses. Otherwise {@link #nextBatchSize} is asked once per
 * run ({@code "select"}) and its answer caps the width of the run's initial screened fit and of
 * every chunk. {@link #checkCancelled()} and {@link #nextBatchSize} may throw to stop the fit; the
 * exception propagates to the caller of fit. Exceptions from {@link #batchDone} and {@link
 * #progress} are logged and swallowed, never propagated.
 */
public interface EngineHooks {

  /** Hooks that do nothing and keep every suggested batch size. */
  EngineHooks NONE = new EngineHooks() {};

  /**
   * Chooses the size of the next batch.
   *
   * @param phase {@code "generate"}, {@code "select-initial"}, {@code "select"}, {@code
   *     "select-filter"}, {@code "select-parallel"} (runs at once), {@code "select-carry"} (columns
   *     a selection thread keeps from a run for its next; 0 keeps none), {@code "model"}, {@code
   *     "model-in-memory"}, {@code "model-sums"} or {@code "model-sample"}
   * @param step the step (generation) or run (selection), 1-based
   * @param suggested the engine's own choice (candidates per batch, or columns per L1 fit)
   * @param bytesPerCandidate heap bytes one more candidate costs while the batch runs (scratch
   *     values plus retained storage for generation; one column of the dense chunk matrix for
   *     selection; one column of a noise filter with its noise and solver share for {@code
   *     "select-filter"}; one feature with the solver's work for the model)
   * @return the batch size to use; values below 1 are treated as 1 (0 for {@code "select-carry"}),
   *     and in selection the engine never exceeds {@code suggested}
   */
  default int nextBatchSize(String phase, int step, int suggested, long bytesPerCandidate) {
    return suggested;
  }

  /**
   * A phase starts ({@code "generate"}, {@code "select"}, {@code "model"}) or the fit is about to
   * return ({@code "done"}). May throw to stop the fit, like {@link #checkCancelled()}.
   *
   * @param phase the phase starting
   * @param storeBytes heap bytes the column store holds at this moment (the values kept for the
   *     next phase)
   */
  default void phaseStarted(String phase, long storeBytes) {}

  /**
   * Reserves {@code bytes} of heap for {@code what} before the engine allocates them. The engine
   * calls this before every allocation that grows with the rows, the columns or the candidates
   * (matrices, solver caches, copies of rows) and closes the lease once that memory is unreachable;
   * it may throw to stop the fit, like {@link #checkCancelled()} (the exception reaches the caller
   * of fit). When selection runs on several threads this is called from each of them, so
   * implementations must then be thread-safe.
   *
   * @param what a short description of the allocation, e.g. {@code "select run 2: chunk 3 (120
   *     columns)"}
   * @param bytes the heap bytes, an upper bound ({@link HeapBytes})
   * @return the lease that holds the reservation
   */
  default Lease reserve(String what, long bytes) {
    return Lease.NONE;
  }

  /**
   * A thread of the engine's own (a selection run's worker) starts; the engine closes the result
   * when the thread ends. Lets a caller account for what the thread does, e.g. the bytes it
   * allocates.
   *
   * @param name the thread's name
   */
  default AutoCloseable threadStarted(String name) {
    return () -> {};
  }

  /** Reports a finished batch: what it tried, kept and how many bytes it used and retained. */
  default void batchDone(BatchStats stats) {}

  /** Called between batches; throw (for example a cancellation exception) to stop the fit. */
  default void checkCancelled() {}

  /**
   * Reports progress.
   *
   * @param phase the phase
   * @param step the step or run
   * @param batchIndex batches finished in this step
   * @param batchCount the estimated number of batches in this step (an estimate when batch sizes
   *     change)
   * @param percent progress of this step, 0..100
   */
  default void progress(String phase, int step, int batchIndex, int batchCount, double percent) {}

  /** Records a decision the engine made on its own (for the fit's report), in words. */
  default void decided(String decision) {}
}
