package io.memguard.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario results as JSON, written and read with jackson-jr: insertion-ordered objects built with
 * {@link #object()}, whose values are numbers, booleans, strings, collections, objects or null.
 * Non-finite doubles are written as {@code null}. Not thread-safe.
 */
public final class Json {
  /** Fields whose value is null are written (as {@code null}), not dropped. */
  private static final JSON MAPPER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);

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
      return write(this);
    }
  }

  /** Writes any supported value as JSON. */
  public static String write(Object value) {
    try {
      return MAPPER.asString(plain(value));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a scenario result as JSON", e);
    }
  }

  /**
   * Reads one JSON object, such as the result line a scenario or a forked workload prints: nested
   * objects become {@link JsonObject}s, arrays lists, whole numbers {@code Integer} or {@code
   * Long}.
   *
   * @throws IllegalArgumentException if {@code text} is not one JSON object
   */
  public static JsonObject parse(String text) {
    Object value;
    try {
      value = MAPPER.anyFrom(text.strip());
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JSON object: " + e.getMessage(), e);
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("not a JSON object: " + text);
    }
    return object(map);
  }

  private static JsonObject object(Map<?, ?> map) {
    JsonObject o = new JsonObject();
    map.forEach((k, v) -> o.put(String.valueOf(k), fromParsed(v)));
    return o;
  }

  private static Object fromParsed(Object v) {
    if (v instanceof Map<?, ?> m) {
      return object(m);
    }
    if (v instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>(c.size());
      c.forEach(item -> out.add(fromParsed(item)));
      return out;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    return v;
  }

  private static Object plain(Object value) {
    if (value instanceof JsonObject o) {
      Map<String, Object> out = new LinkedHashMap<>();
      o.fields.forEach((k, v) -> out.put(k, plain(v)));
      return out;
    }
    if (value instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>(c.size());
      c.forEach(item -> out.add(plain(item)));
      return out;
    }
    if ((value instanceof Double || value instanceof Float)
        && !Double.isFinite(((Number) value).doubleValue())) {
      return null;
    }
    if (value == null || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    return value.toString();
  }
}
