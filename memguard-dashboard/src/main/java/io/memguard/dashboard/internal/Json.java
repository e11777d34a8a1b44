package io.memguard.dashboard.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A minimal streaming JSON writer into a {@link StringBuilder}: objects, arrays, strings, numbers
 * (non-finite ones as null), booleans, instants (ISO-8601) and durations (seconds). Commas are
 * placed automatically. Not thread-safe; one per response.
 */
public final class Json {
  private final StringBuilder out;
  private boolean needComma;

  public Json() {
    this(new StringBuilder(256));
  }

  public Json(StringBuilder out) {
    this.out = out;
  }

  public Json beginObject() {
    comma();
    out.append('{');
    needComma = false;
    return this;
  }

  public Json endObject() {
    out.append('}');
    needComma = true;
    return this;
  }

  public Json beginArray() {
    comma();
    out.append('[');
    needComma = false;
    return this;
  }

  public Json endArray() {
    out.append(']');
    needComma = true;
    return this;
  }

  /** Writes a field name; the next call writes its value. */
  public Json name(String name) {
    comma();
    quote(name);
    out.append(':');
    needComma = false;
    return this;
  }

  public Json value(@Nullable String v) {
    comma();
    if (v == null) {
      out.append("null");
    } else {
      quote(v);
    }
    needComma = true;
    return this;
  }

  public Json value(long v) {
    comma();
    out.append(v);
    needComma = true;
    return this;
  }

  public Json value(double v) {
    comma();
    if (Double.isFinite(v)) {
      if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        out.append((long) v);
      } else {
        out.append(v); // Double.toString: the shortest exact form, valid JSON (e.g. 1.0E9)
      }
    } else {
      out.append("null");
    }
    needComma = true;
    return this;
  }

  public Json value(boolean v) {
    comma();
    out.append(v);
    needComma = true;
    return this;
  }

  public Json value(@Nullable Instant v) {
    return value(v == null ? null : v.toString());
  }

  /** A duration in seconds (fractional), or null. */
  public Json seconds(@Nullable Duration v) {
    if (v == null) {
      return nullValue();
    }
    return value(v.toNanos() / 1e9);
  }

  public Json nullValue() {
    comma();
    out.append("null");
    needComma = true;
    return this;
  }

  /** Writes already-encoded JSON as a value. */
  public Json raw(String json) {
    comma();
    out.append(json);
    needComma = true;
    return this;
  }

  public Json field(String name, @Nullable String v) {
    return name(name).value(v);
  }

  public Json field(String name, long v) {
    return name(name).value(v);
  }

  public Json field(String name, double v) {
    return name(name).value(v);
  }

  public Json field(String name, boolean v) {
    return name(name).value(v);
  }

  public Json field(String name, @Nullable Instant v) {
    return name(name).value(v);
  }

  @Override
  public String toString() {
    return out.toString();
  }

  private void comma() {
    if (needComma) {
      out.append(',');
      needComma = false;
    }
  }

  private void quote(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
