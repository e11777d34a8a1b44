package io.memguard.core;

import java.util.Objects;

/**
 * How expendable a cleanup action's memory is. Emergency cleanup runs stages in ascending {@link
 * #order()}: the most expendable first ({@link #CACHES}, then {@link #POOLS}, {@link
 * #INTERMEDIATES}, {@link #MODELS}). Custom stages slot in by order. Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class CleanupStage implements Comparable<CleanupStage> {
  /** Caches that can be rebuilt on demand. */
  public static final CleanupStage CACHES = new CleanupStage("caches", 100);

  /** Pools of reusable buffers that can be shrunk. */
  public static final CleanupStage POOLS = new CleanupStage("pools", 200);

  /** Intermediate results of running work that can be recomputed. */
  public static final CleanupStage INTERMEDIATES = new CleanupStage("intermediates", 300);

  /** Fitted models and other results that are expensive to rebuild. */
  public static final CleanupStage MODELS = new CleanupStage("models", 400);

  private final String name;
  private final int order;

  private CleanupStage(String name, int order) {
    this.name = name;
    this.order = order;
  }

  /**
   * A custom stage.
   *
   * @param name a short name, e.g. {@code "feature-store"}
   * @param order where it runs: lower runs earlier in an emergency
   * @throws IllegalArgumentException if the name is blank
   */
  public static CleanupStage of(String name, int order) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("stage name must not be blank");
    }
    return new CleanupStage(name, order);
  }

  /** The stage's name. */
  public String name() {
    return name;
  }

  /** The stage's position; lower runs earlier. */
  public int order() {
    return order;
  }

  @Override
  public int compareTo(CleanupStage o) {
    int c = Integer.compare(order, o.order);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CleanupStage that && order == that.order && name.equals(that.name);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + order;
  }

  @Override
  public String toString() {
    return name + "(" + order + ")";
  }
}
