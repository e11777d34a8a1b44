package io.memguard.bench;

/**
 * Parses a flat JSON object (string, number, boolean and null values, and arrays of them; no nested
 * objects), the result line a forked workload prints, back into a {@link Json.JsonObject}. Not a
 * general JSON parser.
 */
final class FlatJson {
  private final String s;
  private int i;

  private FlatJson(String s) {
    this.s = s;
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the position of the first thing it cannot read
   */
  static Json.JsonObject parse(String text) {
    return new FlatJson(text.strip()).object();
  }

  private Json.JsonObject object() {
    Json.JsonObject o = Json.object();
    expect('{');
    skip();
    if (peek() == '}') {
      i++;
      return o;
    }
    while (true) {
      skip();
      String key = string();
      skip();
      expect(':');
      skip();
      o.put(key, value());
      skip();
      if (peek() == ',') {
        i++;
        continue;
      }
      expect('}');
      return o;
    }
  }

  private Object value() {
    char c = peek();
    if (c == '"') {
      return string();
    }
    if (c == '[') {
      i++;
      java.util.List<Object> items = new java.util.ArrayList<>();
      skip();
      if (peek() == ']') {
        i++;
        return items;
      }
      while (true) {
        skip();
        if (peek() == '[' || peek() == '{') {
          throw error("a flat value");
        }
        items.add(value());
        skip();
        if (peek() == ',') {
          i++;
          continue;
        }
        expect(']');
        return items;
      }
    }
    if (s.startsWith("true", i)) {
      i += 4;
      return true;
    }
    if (s.startsWith("false", i)) {
      i += 5;
      return false;
    }
    if (s.startsWith("null", i)) {
      i += 4;
      return null;
    }
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    String number = s.substring(start, i);
    if (number.isEmpty()) {
      throw error("a value");
    }
    if (number.matches("-?\\d+")) {
      return Long.parseLong(number);
    }
    return Double.parseDouble(number);
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (i >= s.length()) {
        throw error("the end of a string");
      }
      char c = s.charAt(i++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> sb.append(e);
        }
      } else {
        sb.append(c);
      }
    }
  }

  private char peek() {
    if (i >= s.length()) {
      throw error("more input");
    }
    return s.charAt(i);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("'" + c + "'");
    }
    i++;
  }

  private void skip() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }

  private IllegalArgumentException error(String expected) {
    return new IllegalArgumentException("expected " + expected + " at position " + i + " of: " + s);
  }
}
