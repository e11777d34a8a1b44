package io.memguard.autofeat.internal;

/**
 * What a feature generation kept, per step and in total: the result of {@link
 * AutoFeatEngine#survey}, a pilot from which a caller predicts the memory of a full fit (the counts
 * barely depend on the number of rows). An immutable value, thread-safe (the arrays are copied on
 * the way in and out).
 *
 * @param rows the rows the pilot generated on
 * @param startFeatures the input columns generation builds from (all of them, unless some were left
 *     out of feature engineering)
 * @param steps feature-engineering steps run
 * @param proposed distinct expressions proposed (the size of the expression pool, start features
 *     excluded)
 * @param computed proposals whose values were computed
 * @param kept proposals kept as building blocks
 * @param candidates new features after the final filter (what selection sees besides the start
 *     features)
 * @param keptPerStep kept building blocks by the step that made them (index 0 unused)
 * @param candidatesPerStep candidates by the step that made them (index 0 unused)
 * @param peakStoreBytes the most bytes the pilot's column store held
 * @param nanos wall-clock nanoseconds the pilot took
 */
public record GenerationSurvey(
    int rows,
    int startFeatures,
    int steps,
    long proposed,
    long computed,
    long kept,
    int candidates,
    long[] keptPerStep,
    long[] candidatesPerStep,
    long peakStoreBytes,
    long nanos) {

  /**
   * Counts no generation can exceed: every raw proposal of autofeat's schedule kept (no duplicates,
   * no domain rules, no failed tests) and every kept feature a candidate; {@code candidates} is
   * capped at {@code Integer.MAX_VALUE}. Cheap, and generous by orders of magnitude from the third
   * step on.
   *
   * @param features the input columns generation builds from
   * @param steps feature-engineering steps
   * @param transformations unary transformations in use
   */
  public static GenerationSurvey upperBound(int features, int steps, int transformations) {
    long[] kept = new long[steps + 1];
    double old = features;
    double current = 0;
    double next = 0;
    double total = 0;
    for (int step = 1; step <= steps; step++) {
      int ops = step == steps ? 1 : 4;
      double made;
      if (step == 1) {
        made = (double) features * transformations;
        old += made;
      } else if (step == 2) {
        made = old * (old - 1) / 2 * ops;
        current = made;
      } else {
        switch ((step - 3) % 3) {
          case 0 -> {
            made = current * transformations;
            current += made;
          }
          case 1 -> {
            made = old * current * ops;
            next = made;
          }
          default -> {
            made = current * (current - 1) / 2 * ops;
            next += made;
            old += current;
            current = next;
            next = 0;
          }
        }
      }
      kept[step] = (long) Math.min(Long.MAX_VALUE / 4, made);
      total += made;
    }
    long all = (long) Math.min(Long.MAX_VALUE / 4, total);
    return new GenerationSurvey(
        0,
        features,
        steps,
        all,
        all,
        all,
        (int) Math.min(Integer.MAX_VALUE, all),
        kept,
        kept,
        0,
        0);
  }

  /**
   * Whether these are the counts of {@link #upperBound} (no pilot ran: {@code rows} is 0) rather
   * than a pilot's.
   */
  public boolean isUpperBound() {
    return rows == 0;
  }

  /** Copies the arrays. */
  public GenerationSurvey {
    keptPerStep = keptPerStep.clone();
    candidatesPerStep = candidatesPerStep.clone();
  }

  @Override
  public long[] keptPerStep() {
    return keptPerStep.clone();
  }

  @Override
  public long[] candidatesPerStep() {
    return candidatesPerStep.clone();
  }

  /**
   * Kept building blocks of every step but the last (the ones a recomputing store must still
   * store).
   */
  public long keptBeforeLastStep() {
    long sum = 0;
    for (int s = 1; s < steps; s++) {
      sum += keptPerStep[s];
    }
    return sum;
  }

  /** Candidates made by every step but the last. */
  public long candidatesBeforeLastStep() {
    long sum = 0;
    for (int s = 1; s < steps; s++) {
      sum += candidatesPerStep[s];
    }
    return sum;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenerationSurvey g
        && rows == g.rows
        && startFeatures == g.startFeatures
        && steps == g.steps
        && proposed == g.proposed
        && computed == g.computed
        && kept == g.kept
        && candidates == g.candidates
        && java.util.Arrays.equals(keptPerStep, g.keptPerStep)
        && java.util.Arrays.equals(candidatesPerStep, g.candidatesPerStep)
        && peakStoreBytes == g.peakStoreBytes
        && nanos == g.nanos;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(
        rows,
        steps,
        proposed,
        kept,
        candidates,
        java.util.Arrays.hashCode(keptPerStep),
        java.util.Arrays.hashCode(candidatesPerStep));
  }

  @Override
  public String toString() {
    return "GenerationSurvey{rows="
        + rows
        + ", steps="
        + steps
        + ", proposed="
        + proposed
        + ", computed="
        + computed
        + ", kept="
        + kept
        + ", candidates="
        + candidates
        + ", keptPerStep="
        + java.util.Arrays.toString(keptPerStep)
        + ", candidatesPerStep="
        + java.util.Arrays.toString(candidatesPerStep)
        + ", peakStoreBytes="
        + peakStoreBytes
        + "}";
  }
}
