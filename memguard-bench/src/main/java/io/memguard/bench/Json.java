package io.memguard.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON writer for scenario results: insertion-ordered objects, arrays, strings, numbers
 * and booleans. Non-finite doubles are written as {@code null}. Not thread-safe.
 */
public final class Json {
  private Json() {}

  /** A new empty object. */
  public static JsonObject object() {
    return new JsonObject();
  }

  /** An insertion-ordered JSON object. */
  public static final class JsonObject {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    /**
     * Adds or replaces a field; values may be numbers, booleans, strings, collections, objects or
     * null.
     */
    public JsonObject put(String key, Object value) {
      fields.put(key, value);
      return this;
    }

    /** The value of a field, or {@code null}. */
    public Object get(String key) {
      return fields.get(key);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      write(sb, this);
      return sb.toString();
    }
  }

  /** Writes any supported value as JSON. */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object value) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof JsonObject object) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : object.fields.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(sb, e.getKey());
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (value instanceof Collection<?> collection) {
      List<Object> items = new ArrayList<>(collection);
      sb.append('[');
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, items.get(i));
      }
      sb.append(']');
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      sb.append(Double.isFinite(d) ? Double.toString(d) : "null");
    } else if (value instanceof Number || value instanceof Boolean) {
      sb.append(value);
    } else {
      string(sb, value.toString());
    }
  }

  private static void string(StringBuilder sb, String s) {
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
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
