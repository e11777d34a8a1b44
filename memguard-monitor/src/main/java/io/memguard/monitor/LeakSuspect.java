package io.memguard.monitor;

import java.util.Objects;

/**
 * Something that keeps growing while the live set grows: a class, a memguard scope or a weak
 * registry. Immutable.
 *
 * @param kind what it is
 * @param name the class name, scope path or registry name
 * @param bytesPerMinute growth in bytes per minute (classes: shallow bytes of its instances;
 *     scopes: reserved bytes); NaN for registries
 * @param countPerMinute growth in instances (classes) or live entries (registries) per minute; NaN
 *     for scopes
 * @param bytes the latest size in bytes, -1 for registries
 * @param count the latest instance or entry count, -1 for scopes
 * @param platform true for JDK classes (byte arrays, strings, collections' internals): they carry a
 *     leak but are rarely its cause, so they rank after application classes
 * @since 0.1.0
 */
public record LeakSuspect(
    Kind kind,
    String name,
    double bytesPerMinute,
    double countPerMinute,
    long bytes,
    long count,
    boolean platform) {

  /** The kinds of suspect. */
  public enum Kind {
    /** A class whose instance count and bytes grew between class histograms. */
    CLASS,
    /** A memguard scope whose reserved bytes kept growing. */
    SCOPE,
    /** A weak registry whose live entries kept growing. */
    REGISTRY
  }

  /** Validates. */
  public LeakSuspect {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }
}
