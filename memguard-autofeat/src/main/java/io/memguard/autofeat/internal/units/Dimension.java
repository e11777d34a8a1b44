package io.memguard.autofeat.internal.units;

import io.memguard.autofeat.internal.expr.Rational;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A physical dimension: a product of named base dimensions ({@code length}, {@code mass}, {@code
 * time}, ... or a user's own, such as {@code currency}) raised to rational exponents. Only
 * dimensions matter to feature engineering, never a unit's scale ({@code km} and {@code m} are both
 * {@code [length]}). Immutable and thread-safe.
 */
public final class Dimension {

  /** No dimension: a plain number, a ratio, a count, an angle. */
  public static final Dimension NONE = new Dimension(new TreeMap<>());

  private final Map<String, Rational> exponents;

  private Dimension(TreeMap<String, Rational> exponents) {
    this.exponents = Collections.unmodifiableMap(exponents);
  }

  /** The base dimension {@code name} to the power 1. */
  public static Dimension base(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a base dimension needs a name");
    }
    TreeMap<String, Rational> m = new TreeMap<>();
    m.put(name, Rational.ONE);
    return new Dimension(m);
  }

  /** The base dimensions with non-zero exponents, sorted by name. */
  public Map<String, Rational> exponents() {
    return exponents;
  }

  /** Whether this is {@link #NONE}. */
  public boolean isNone() {
    return exponents.isEmpty();
  }

  /** {@code this * other}. */
  public Dimension times(Dimension other) {
    if (other.isNone()) {
      return this;
    }
    if (isNone()) {
      return other;
    }
    TreeMap<String, Rational> m = new TreeMap<>(exponents);
    for (Map.Entry<String, Rational> e : other.exponents.entrySet()) {
      Rational sum = m.getOrDefault(e.getKey(), Rational.ZERO).plus(e.getValue());
      if (sum.isZero()) {
        m.remove(e.getKey());
      } else {
        m.put(e.getKey(), sum);
      }
    }
    return new Dimension(m);
  }

  /** {@code this ^ power}. */
  public Dimension pow(Rational power) {
    if (isNone() || power.isOne()) {
      return this;
    }
    if (power.isZero()) {
      return NONE;
    }
    TreeMap<String, Rational> m = new TreeMap<>();
    for (Map.Entry<String, Rational> e : exponents.entrySet()) {
      m.put(e.getKey(), e.getValue().times(power));
    }
    return new Dimension(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dimension d && exponents.equals(d.exponents);
  }

  @Override
  public int hashCode() {
    return exponents.hashCode();
  }

  /** For example {@code [length]/[time]^2}, or {@code dimensionless}. */
  @Override
  public String toString() {
    if (isNone()) {
      return "dimensionless";
    }
    StringBuilder num = new StringBuilder();
    StringBuilder den = new StringBuilder();
    for (Map.Entry<String, Rational> e : exponents.entrySet()) {
      Rational x = e.getValue();
      StringBuilder sb = x.isNegative() ? den : num;
      Rational shown = x.abs();
      if (sb.length() > 0) {
        sb.append('*');
      }
      sb.append('[').append(e.getKey()).append(']');
      if (!shown.isOne()) {
        sb.append('^').append(shown.isInteger() ? shown.toString() : "(" + shown + ")");
      }
    }
    if (den.length() == 0) {
      return num.toString();
    }
    return (num.length() == 0 ? "1" : num.toString()) + "/" + den;
  }
}
