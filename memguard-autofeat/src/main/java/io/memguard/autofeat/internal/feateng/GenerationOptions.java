package io.memguard.autofeat.internal.feateng;

import java.util.List;
import java.util.Objects;

/**
 * Settings of feature generation; an immutable value, validated on construction, thread-safe.
 *
 * @param steps the number of feature-engineering steps (0 = none)
 * @param transformations the unary transformations, in the order they are tried
 * @param precision how candidate columns are stored
 * @param suggestedBatchSize the batch size the engine proposes to {@code EngineHooks.nextBatchSize}
 */
public record GenerationOptions(
    int steps,
    List<Transformation> transformations,
    StoragePrecision precision,
    int suggestedBatchSize) {

  /** Validates and copies. */
  public GenerationOptions {
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, was " + steps);
    }
    transformations = List.copyOf(Objects.requireNonNull(transformations, "transformations"));
    if (transformations.stream().distinct().count() != transformations.size()) {
      throw new IllegalArgumentException("duplicate transformations: " + transformations);
    }
    Objects.requireNonNull(precision, "precision");
    if (suggestedBatchSize < 1) {
      throw new IllegalArgumentException(
          "suggestedBatchSize must be >= 1, was " + suggestedBatchSize);
    }
  }

  /** autofeat's defaults: 2 steps, the default transformations, double storage, batches of 256. */
  public static GenerationOptions ofDefaults() {
    return new GenerationOptions(2, Transformation.DEFAULTS, StoragePrecision.DOUBLE, 256);
  }
}
