package io.memguard.autofeat;

import io.memguard.autofeat.internal.feateng.Transformation;
import io.memguard.core.CancellationToken;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one fit was asked for, read once from its {@link AutoFeatProcessor}: a fit works from this
 * value, never from the processor. Immutable.
 */
record FitSettings(
    String name,
    ProblemType problemType,
    int featureEngineeringSteps,
    int featureSelectionRuns,
    List<Transformation> transformationList,
    List<String> featureEngineeringColumns,
    java.util.Map<String, String> units,
    boolean applyPiTheorem,
    long seed,
    int maxBatchSize,
    int parallelism,
    LightweightPolicy lightweightPolicy,
    FitListener listener,
    CancellationToken cancellation,
    @Nullable ModelRegistry registry,
    FitRun.@Nullable FaultInjector faultInjector) {

  FitSettings {
    transformationList = List.copyOf(transformationList);
    featureEngineeringColumns = List.copyOf(featureEngineeringColumns);
    units = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(units));
  }

  static FitSettings of(AutoFeatProcessor p) {
    return new FitSettings(
        p.name(),
        p.problemType(),
        p.featureEngineeringSteps(),
        p.featureSelectionRuns(),
        p.transformationList(),
        p.featureEngineeringColumns(),
        p.units(),
        p.applyPiTheorem(),
        p.seed(),
        p.maxBatchSize(),
        p.parallelism(),
        p.lightweightPolicy(),
        p.listener(),
        p.cancellation(),
        p.registry(),
        p.faultInjector());
  }
}
