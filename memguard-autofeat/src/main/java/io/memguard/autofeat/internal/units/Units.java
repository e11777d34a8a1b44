package io.memguard.autofeat.internal.units;

import io.memguard.autofeat.internal.expr.Rational;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a unit written as text ({@code "kg*m/s^2"}, {@code "km / h"}, {@code "W h"}, {@code
 * "[currency]/kg"}) into its {@link Dimension}; stateless and thread-safe.
 *
 * <p>The grammar is pint's: names and numbers multiplied by {@code *} or a space, divided by {@code
 * /} (left to right), raised by {@code **} or {@code ^} to a number or a parenthesised fraction,
 * grouped by parentheses. Numbers are scale factors and do not change the dimension. A name in
 * brackets ({@code [currency]}) is a base dimension of the user's own. Names are the SI units and
 * the units made from them, common non-SI units (inch, foot, mile, pound, hour, liter, bar, psi,
 * calorie, horsepower, degC, degF, ...), each with the SI prefixes where SI allows them ({@code
 * km}, {@code mA}, {@code kWh}, {@code mL}), long names and plurals ({@code meters}, {@code
 * kilograms}).
 */
public final class Units {

  private static final Map<String, Dimension> UNITS = new HashMap<>();
  private static final Set<String> PREFIXABLE = new HashSet<>();
  private static final String[] PREFIXES = {
    "yotta", "zetta", "exa", "peta", "tera", "giga", "mega", "kilo", "hecto", "deca", "deka",
    "deci", "centi", "milli", "micro", "nano", "pico", "femto", "atto", "zepto", "yocto", "da", "Y",
    "Z", "E", "P", "T", "G", "M", "k", "h", "d", "c", "m", "u", "µ", "μ", "n", "p", "f", "a", "z",
    "y"
  };

  static {
    base("length", true, "m", "meter", "metre");
    base("mass", true, "g", "gram", "gramme");
    base("time", true, "s", "sec", "second");
    base("current", true, "A", "amp", "ampere");
    base("temperature", true, "K", "kelvin");
    base("substance", true, "mol", "mole");
    base("luminosity", true, "cd", "candela");
    base("information", true, "bit");
    derived("1", false, "dimensionless", "percent", "%", "ppm", "count", "rad", "radian", "sr");
    derived("1", false, "steradian", "deg", "degree", "arcmin", "arcsec", "turn", "revolution");
    derived("1", false, "dB", "decibel", "Np", "neper");
    derived("bit", true, "B", "byte");
    derived("s", false, "min", "minute", "h", "hr", "hour", "d", "day", "week", "wk", "month");
    derived("s", false, "year", "yr");
    derived("1/s", true, "Hz", "hertz", "Bq", "becquerel");
    derived("1/min", false, "rpm");
    derived("kg*m/s^2", true, "N", "newton", "dyn", "dyne");
    derived("kg*m/s^2", false, "lbf", "kgf");
    derived("N/m^2", true, "Pa", "pascal", "bar");
    derived("N/m^2", false, "atm", "atmosphere", "psi", "torr", "Torr", "mmHg", "inHg");
    derived("N*m", true, "J", "joule", "cal", "calorie", "eV", "electron_volt", "erg");
    derived("N*m", false, "BTU", "Btu", "therm");
    derived("J/s", true, "W", "watt");
    derived("J/s", false, "hp", "horsepower");
    derived("W*h", true, "Wh", "watt_hour");
    derived("A*s", true, "C", "coulomb");
    derived("A*h", true, "Ah");
    derived("W/A", true, "V", "volt");
    derived("V/A", true, "ohm", "Ω");
    derived("A/V", true, "S", "siemens");
    derived("C/V", true, "F", "farad");
    derived("V*s", true, "Wb", "weber");
    derived("Wb/m^2", true, "T", "tesla", "gauss", "G");
    derived("Wb/A", true, "H", "henry");
    derived("cd", true, "lm", "lumen");
    derived("cd/m^2", true, "lx", "lux");
    derived("J/kg", true, "Gy", "gray", "Sv", "sievert");
    derived("mol/s", true, "kat", "katal");
    derived("m^3", true, "L", "l", "liter", "litre");
    derived("m^3", false, "gal", "gallon", "quart", "qt", "pint", "cup", "floz");
    derived("mol/m^3", false, "molar");
    derived("m^2", false, "ha", "hectare", "acre", "barn");
    derived("m", false, "in", "inch", "ft", "foot", "feet", "yd", "yard", "mi", "mile", "nmi");
    derived("m", false, "au", "ly", "light_year", "pc", "parsec", "angstrom", "Å", "micron");
    derived("g", false, "lb", "lbs", "pound", "oz", "ounce", "t", "tonne", "ton", "Da", "dalton");
    derived("g", false, "st", "stone", "grain", "amu");
    derived("m/s", false, "mph", "kph", "kn", "knot");
    derived("K", false, "degC", "celsius", "degree_Celsius", "°C", "degF", "fahrenheit");
    derived("K", false, "degree_Fahrenheit", "°F", "degR", "rankine", "delta_degC", "delta_degF");
  }

  private Units() {}

  private static void base(String dimension, boolean prefixable, String... names) {
    for (String n : names) {
      UNITS.put(n, Dimension.base(dimension));
      if (prefixable) {
        PREFIXABLE.add(n);
      }
    }
  }

  private static void derived(String definition, boolean prefixable, String... names) {
    Dimension d = parse(definition);
    for (String n : names) {
      UNITS.put(n, d);
      if (prefixable) {
        PREFIXABLE.add(n);
      }
    }
  }

  /**
   * The dimension of {@code unit}; blank means dimensionless.
   *
   * @throws IllegalArgumentException if the text is not a unit this reader knows, saying which part
   *     and what to write instead
   */
  public static Dimension parse(String unit) {
    Objects.requireNonNull(unit, "unit");
    Parser p = new Parser(unit);
    p.skipSpaces();
    if (p.atEnd()) {
      return Dimension.NONE;
    }
    try {
      Dimension d = p.product();
      p.skipSpaces();
      if (!p.atEnd()) {
        throw p.error("unexpected '" + unit.charAt(p.pos) + "'");
      }
      return d;
    } catch (ArithmeticException overflow) {
      throw p.error("an exponent is too large");
    }
  }

  /** The dimension of the unit {@code name}, with prefixes and plurals; null if unknown. */
  static Dimension lookup(String name) {
    Dimension d = UNITS.get(name);
    if (d != null) {
      return d;
    }
    for (String prefix : PREFIXES) {
      if (name.length() > prefix.length() && name.startsWith(prefix)) {
        String rest = name.substring(prefix.length());
        if (PREFIXABLE.contains(rest)) {
          return UNITS.get(rest);
        }
      }
    }
    if (name.length() > 2 && name.endsWith("s")) {
      Dimension singular = lookup(name.substring(0, name.length() - 1));
      if (singular == null && name.endsWith("es")) {
        singular = lookup(name.substring(0, name.length() - 2));
      }
      return singular;
    }
    return null;
  }

  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    boolean atEnd() {
      return pos >= text.length();
    }

    void skipSpaces() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    /** Factors joined by '*', '/' or a space, left to right. */
    Dimension product() {
      Dimension d = power();
      while (true) {
        int mark = pos;
        skipSpaces();
        if (atEnd()) {
          pos = mark;
          return d;
        }
        char c = text.charAt(pos);
        if (c == '*' && !text.startsWith("**", pos)) {
          pos++;
          d = d.times(power());
        } else if (c == '/') {
          pos++;
          d = d.times(power().pow(Rational.MINUS_ONE));
        } else if (c == ')') {
          pos = mark;
          return d;
        } else if (pos > mark && startsFactor(c)) {
          d = d.times(power());
        } else if (startsFactor(c)) {
          throw error("write a '*' or a space between two factors");
        } else {
          pos = mark;
          return d;
        }
      }
    }

    /** A factor, optionally raised to a power. */
    Dimension power() {
      skipSpaces();
      Dimension d = factor();
      int end = pos;
      skipSpaces();
      if (text.startsWith("**", pos)) {
        pos += 2;
      } else if (pos < text.length() && text.charAt(pos) == '^') {
        pos++;
      } else {
        pos = end;
        return d;
      }
      skipSpaces();
      return d.pow(exponent());
    }

    Rational exponent() {
      if (pos < text.length() && text.charAt(pos) == '(') {
        pos++;
        skipSpaces();
        Rational num = number();
        skipSpaces();
        Rational e = num;
        if (pos < text.length() && text.charAt(pos) == '/') {
          pos++;
          skipSpaces();
          Rational den = number();
          if (den.isZero()) {
            throw error("an exponent divides by 0");
          }
          e = num.times(Rational.of(den.denominator(), den.numerator()));
          skipSpaces();
        }
        expect(')');
        return e;
      }
      return number();
    }

    /** An exponent: an exact number ({@code 2}, {@code -0.5}, {@code 1e1}). */
    Rational number() {
      int start = pos;
      String s = scanNumber(true);
      try {
        BigDecimal v = new BigDecimal(s);
        BigDecimal unscaled = new BigDecimal(v.unscaledValue());
        long num = unscaled.longValueExact();
        int scale = v.scale();
        if (scale > 18 || scale < -18) {
          throw error("the number '" + s + "' is out of range");
        }
        return scale >= 0
            ? Rational.of(num, pow10(scale))
            : Rational.of(Math.multiplyExact(num, pow10(-scale)));
      } catch (NumberFormatException | ArithmeticException e) {
        pos = start;
        throw error("expected a number");
      }
    }

    /** Skips a number that scales a unit ({@code 3.6}, {@code 1.602e-19}): it has no dimension. */
    void scaleFactor() {
      int start = pos;
      try {
        Double.parseDouble(scanNumber(false));
      } catch (NumberFormatException e) {
        pos = start;
        throw error("expected a number");
      }
    }

    /** Moves past digits, points and an exponent (and a leading sign if {@code signed}). */
    private String scanNumber(boolean signed) {
      int start = pos;
      if (signed && pos < text.length() && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
        pos++;
      }
      while (pos < text.length()
          && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
        pos++;
      }
      if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
        int mark = pos++;
        if (pos < text.length() && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
          pos++;
        }
        if (pos < text.length() && Character.isDigit(text.charAt(pos))) {
          while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
          }
        } else {
          pos = mark;
        }
      }
      return text.substring(start, pos);
    }

    private static long pow10(int k) {
      long r = 1;
      for (int i = 0; i < k; i++) {
        r = Math.multiplyExact(r, 10);
      }
      return r;
    }

    Dimension factor() {
      if (atEnd()) {
        throw error("a unit is missing at the end");
      }
      char c = text.charAt(pos);
      if (c == '(') {
        pos++;
        Dimension d = product();
        skipSpaces();
        expect(')');
        return d;
      }
      if (c == '[') {
        int close = text.indexOf(']', pos);
        if (close < 0) {
          throw error("a '[' is not closed");
        }
        String name = text.substring(pos + 1, close).trim();
        if (name.isEmpty()
            || !name.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
          throw error(
              "write a base dimension of your own as letters in brackets, such as [currency]");
        }
        pos = close + 1;
        return Dimension.base(name);
      }
      if (Character.isDigit(c) || c == '.') {
        scaleFactor();
        return Dimension.NONE;
      }
      int start = pos;
      while (pos < text.length()
          && (isNameChar(text.charAt(pos))
              || (pos > start && Character.isDigit(text.charAt(pos))))) {
        pos++;
      }
      if (pos == start) {
        throw error("unexpected '" + c + "'");
      }
      String name = text.substring(start, pos);
      Dimension d = lookup(name);
      if (d == null) {
        pos = start;
        throw error(
            "'"
                + name
                + "' is not a unit memguard knows; write it with SI units (m, kg, s, A, K, mol,"
                + " cd) and the units made from them (N, J, W, Pa, V, Hz, L, ...), with prefixes"
                + " such as km or mA, or as a base dimension of your own in brackets, such as"
                + " [currency]");
      }
      return d;
    }

    private static boolean startsFactor(char c) {
      return c == '(' || c == '[' || Character.isDigit(c) || isNameChar(c);
    }

    private static boolean isNameChar(char c) {
      return Character.isLetter(c) || c == '_' || c == '%' || c == '°' || c == 'µ' || c == 'Ω';
    }

    void expect(char c) {
      if (pos >= text.length() || text.charAt(pos) != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException(
          "cannot read the unit '" + text + "' at character " + (pos + 1) + ": " + what);
    }
  }
}
