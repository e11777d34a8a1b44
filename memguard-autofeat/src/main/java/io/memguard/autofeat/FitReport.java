package io.memguard.autofeat;

import io.memguard.core.MemorySize;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What a fit did: an immutable record, thread-safe, holding values only (never the model or the
 * data). A fitted model carries it as {@link AutoFeatModel#report()}; a failed or stopped fit hands
 * a partial one to {@link FitListener#onFailed}.
 *
 * <p>Counts, in the order a candidate passes them: {@code candidatesComputed} (proposals whose
 * values were computed) &ge; {@code candidatesAccepted} (finite, not constant, not a copy of a
 * parent: kept as building blocks) &ge; {@code candidatesGenerated} (passed generation's final
 * filter: the new features selection chooses from, autofeat's "generated features") and {@code
 * featuresSelected} (features of the final model, start features included). All byte figures are
 * reservations in the fit's scope tree.
 *
 * @param problemType regression or classification
 * @param rows training rows
 * @param inputFeatures input columns
 * @param featureEngineeringSteps steps configured
 * @param featureSelectionRuns selection runs configured
 * @param seed the seed
 * @param plan the plan the fit finished with
 * @param lightweight whether the fit ran (or finished) on its lightweight plan
 * @param lightweightReason why, or {@code null} when not lightweight
 * @param decisions the plan decisions and switches, in words, in order
 * @param phases the phases run, in order (a phase appears again after a switch restarted it)
 * @param candidatesComputed proposals whose values were computed (last attempt)
 * @param candidatesAccepted candidates kept as building blocks (last attempt)
 * @param candidatesGenerated new features offered to selection (last attempt)
 * @param featuresSelected features of the final model, 0 unless the fit completed
 * @param features the final model's features, printed; empty unless the fit completed
 * @param batches every batch of every phase, in order
 * @param peakReservedBytes the most bytes the fit's scope held at once
 * @param availableBytesAtStart bytes available to the fit when it started
 * @param stoppedAt where a failed or stopped fit ended, or {@code null} when it completed
 * @since 0.1.0
 */
public record FitReport(
    ProblemType problemType,
    int rows,
    int inputFeatures,
    int featureEngineeringSteps,
    int featureSelectionRuns,
    long seed,
    FitPlan plan,
    boolean lightweight,
    @Nullable String lightweightReason,
    List<String> decisions,
    List<PhaseReport> phases,
    long candidatesComputed,
    long candidatesAccepted,
    int candidatesGenerated,
    int featuresSelected,
    List<String> features,
    List<BatchReport> batches,
    long peakReservedBytes,
    long availableBytesAtStart,
    @Nullable String stoppedAt) {

  /** Copies the lists. */
  public FitReport {
    decisions = List.copyOf(decisions);
    phases = List.copyOf(phases);
    features = List.copyOf(features);
    batches = List.copyOf(batches);
  }

  /** This report with {@code added} after its decisions (a stream fit's account of its rows). */
  FitReport withDecisionsAdded(List<String> added) {
    List<String> all = new java.util.ArrayList<>(decisions);
    all.addAll(added);
    return new FitReport(
        problemType,
        rows,
        inputFeatures,
        featureEngineeringSteps,
        featureSelectionRuns,
        seed,
        plan,
        lightweight,
        lightweightReason,
        all,
        phases,
        candidatesComputed,
        candidatesAccepted,
        candidatesGenerated,
        featuresSelected,
        features,
        batches,
        peakReservedBytes,
        availableBytesAtStart,
        stoppedAt);
  }

  /** Whether the fit completed (returned a model). */
  public boolean completed() {
    return stoppedAt == null;
  }

  /** Heap bytes the fit's threads allocated in all phases (garbage included). */
  public long allocatedBytes() {
    long sum = 0;
    for (PhaseReport p : phases) {
      sum += p.allocatedBytes();
    }
    return sum;
  }

  /** The total time of all phases. */
  public Duration duration() {
    Duration d = Duration.ZERO;
    for (PhaseReport p : phases) {
      d = d.plus(p.duration());
    }
    return d;
  }

  /** The total time of all phases in seconds. */
  public double seconds() {
    return duration().toNanos() / 1e9;
  }

  /** The number of batches run in {@code phase}. */
  public int batchCount(FitPhase phase) {
    int n = 0;
    for (BatchReport b : batches) {
      if (b.phase() == phase) {
        n++;
      }
    }
    return n;
  }

  /** A few lines a person can read: plan, counts, timings, memory, features. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "autofeat %s fit, %d rows x %d inputs, %d steps, %d selection runs, seed %d: %s in %.2f s%n",
            problemType.name().toLowerCase(Locale.ROOT),
            rows,
            inputFeatures,
            featureEngineeringSteps,
            featureSelectionRuns,
            seed,
            completed() ? "completed" : "stopped at " + stoppedAt,
            seconds()));
    sb.append("  plan: ").append(plan == null ? "none" : plan.describe()).append('\n');
    if (lightweight) {
      sb.append("  lightweight because ").append(lightweightReason).append('\n');
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "  candidates: %d computed, %d accepted, %d generated; %d selected%n",
            candidatesComputed,
            candidatesAccepted,
            candidatesGenerated,
            featuresSelected));
    for (PhaseReport p : phases) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  %-8s %7.3f s, %4d batches, peak %s, allocated %s%n",
              p.phase(),
              p.duration().toNanos() / 1e9,
              p.batches(),
              MemorySize.format(p.peakReservedBytes()),
              MemorySize.format(p.allocatedBytes())));
    }
    sb.append("  peak reserved ")
        .append(MemorySize.format(peakReservedBytes))
        .append(" of ")
        .append(MemorySize.format(availableBytesAtStart))
        .append(" available\n");
    if (!features.isEmpty()) {
      sb.append("  features: ").append(features).append('\n');
    }
    return sb.toString();
  }
}
