package io.memguard.monitor;

import java.util.Locale;

/**
 * A small streaming JSON writer used for reports and webhook bodies: objects, arrays, strings,
 * numbers, booleans, null. Non-finite doubles are written as null. Not thread-safe; one instance
 * per document.
 */
final class JsonWriter {
  private final StringBuilder sb = new StringBuilder(256);

  /** Whether the next value in the current container needs a comma first; one bit per depth. */
  private long needsComma;

  private int depth;
  private boolean afterName;

  /** Starts an object (as a value or the root). */
  public JsonWriter beginObject() {
    beforeValue();
    sb.append('{');
    push();
    return this;
  }

  /** Ends the current object. */
  public JsonWriter endObject() {
    pop();
    sb.append('}');
    return this;
  }

  /** Starts an array. */
  public JsonWriter beginArray() {
    beforeValue();
    sb.append('[');
    push();
    return this;
  }

  /** Ends the current array. */
  public JsonWriter endArray() {
    pop();
    sb.append(']');
    return this;
  }

  /** Writes a field name; the next call writes its value. */
  public JsonWriter name(String name) {
    beforeValue();
    string(name);
    sb.append(':');
    afterName = true;
    return this;
  }

  /** A string value, or null. */
  public JsonWriter value(String value) {
    beforeValue();
    if (value == null) {
      sb.append("null");
    } else {
      string(value);
    }
    return this;
  }

  /** A whole number. */
  public JsonWriter value(long value) {
    beforeValue();
    sb.append(value);
    return this;
  }

  /** A number; NaN and infinities become null. */
  public JsonWriter value(double value) {
    beforeValue();
    if (Double.isFinite(value)) {
      if (value == Math.rint(value) && Math.abs(value) < 1e15) {
        sb.append((long) value);
      } else {
        sb.append(value);
      }
    } else {
      sb.append("null");
    }
    return this;
  }

  /** A boolean. */
  public JsonWriter value(boolean value) {
    beforeValue();
    sb.append(value);
    return this;
  }

  /** Shorthand for {@code name(n).value(v)}. */
  public JsonWriter field(String name, String value) {
    return name(name).value(value);
  }

  /** Shorthand for {@code name(n).value(v)}. */
  public JsonWriter field(String name, long value) {
    return name(name).value(value);
  }

  /** Shorthand for {@code name(n).value(v)}. */
  public JsonWriter field(String name, double value) {
    return name(name).value(value);
  }

  /** Shorthand for {@code name(n).value(v)}. */
  public JsonWriter field(String name, boolean value) {
    return name(name).value(value);
  }

  /** The document written so far. */
  @Override
  public String toString() {
    return sb.toString();
  }

  private void push() {
    depth++;
    if (depth >= 63) {
      throw new IllegalStateException("JSON nesting deeper than 62 levels");
    }
    needsComma &= ~(1L << depth);
  }

  private void pop() {
    if (depth == 0) {
      throw new IllegalStateException("end without begin");
    }
    depth--;
  }

  private void beforeValue() {
    if (afterName) {
      afterName = false;
      return;
    }
    long bit = 1L << depth;
    if ((needsComma & bit) != 0) {
      sb.append(',');
    }
    needsComma |= bit;
  }

  private void string(String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
