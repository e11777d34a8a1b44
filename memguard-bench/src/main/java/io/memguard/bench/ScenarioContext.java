package io.memguard.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options and output streams handed to a {@link Scenario}. Options are {@code --key value}
 * pairs; every option a scenario reads is marked as used, and {@link #rejectUnused()} fails on any
 * that was not, so a typo never passes silently. Not thread-safe.
 */
public final class ScenarioContext {
  private final Map<String, String> options;
  private final Set<String> used = new TreeSet<>();
  private final PrintStream out;
  private final PrintStream err;

  ScenarioContext(Map<String, String> options, PrintStream out, PrintStream err) {
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    this.out = out;
    this.err = err;
  }

  /** Parses {@code --key value} pairs. */
  static ScenarioContext parse(String[] args, int from, PrintStream out, PrintStream err) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = from; i < args.length; i++) {
      String key = args[i];
      if (!key.startsWith("--") || key.length() < 3) {
        throw new IllegalArgumentException(
            "expected an option like --key value, got '" + key + "'");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + key + " needs a value");
      }
      options.put(key.substring(2), args[++i]);
    }
    return new ScenarioContext(options, out, err);
  }

  /** Standard output; only the final JSON line belongs here. */
  public PrintStream out() {
    return out;
  }

  /** Standard error, for progress. */
  public PrintStream err() {
    return err;
  }

  /** Prints one progress line to stderr. */
  public void progress(String format, Object... args) {
    err.printf(format + "%n", args);
    err.flush();
  }

  /** The raw value of an option, or {@code null}. */
  public String string(String key, String defaultValue) {
    used.add(key);
    return options.getOrDefault(key, defaultValue);
  }

  /** An option that must be present. */
  public String required(String key) {
    String value = string(key, null);
    if (value == null) {
      throw new IllegalArgumentException("missing required option --" + key);
    }
    return value;
  }

  /** An integer option. */
  public long longValue(String key, long defaultValue) {
    String value = string(key, null);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--" + key + " must be a whole number, got '" + value + "'");
    }
  }

  /** An integer option that fits an {@code int}. */
  public int intValue(String key, int defaultValue) {
    long v = longValue(key, defaultValue);
    if (v != (int) v) {
      throw new IllegalArgumentException(
          "--"
              + key
              + " must be between "
              + Integer.MIN_VALUE
              + " and "
              + Integer.MAX_VALUE
              + ", got "
              + v);
    }
    return (int) v;
  }

  /**
   * A size option such as {@code 256m}, {@code 64MiB} or {@code 1048576}, in bytes; -1 if absent.
   */
  public long bytes(String key, long defaultValue) {
    String value = string(key, null);
    return value == null ? defaultValue : io.memguard.core.MemorySize.parse(value).toBytes();
  }

  /** A duration given in milliseconds. */
  public Duration millis(String key, long defaultMillis) {
    return Duration.ofMillis(longValue(key, defaultMillis));
  }

  /** True when the option was given. */
  public boolean has(String key) {
    used.add(key);
    return options.containsKey(key);
  }

  /** The options as given, for scenarios that pass them on to a forked JVM. */
  public Map<String, String> options() {
    return options;
  }

  /**
   * Fails if an option was given that the scenario never read.
   *
   * @throws IllegalArgumentException naming the unknown options
   */
  public void rejectUnused() {
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(used);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", unknown));
    }
  }
}
