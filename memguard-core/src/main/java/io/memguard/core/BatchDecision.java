package io.memguard.core;

/**
 * One batch-size decision: how many items of a known size fit in the memory available, with a
 * safety margin. Immutable.
 *
 * @param task who asked
 * @param availableBytes the memory the decision was made from
 * @param bytesPerItem the (estimated) bytes one item needs
 * @param safetyMargin the share of availableBytes kept free (0..1)
 * @param minBatch the smallest batch the caller accepts
 * @param maxBatch the largest batch the caller wants
 * @param batchSize the chosen size, in [minBatch, maxBatch]
 * @param fits false when even minBatch does not fit in the usable memory
 * @param reason a sentence explaining the choice
 * @param nanoTime when, on the allocator's ticker
 * @since 0.1.0
 */
public record BatchDecision(
    String task,
    long availableBytes,
    long bytesPerItem,
    double safetyMargin,
    int minBatch,
    int maxBatch,
    int batchSize,
    boolean fits,
    String reason,
    long nanoTime) {}
