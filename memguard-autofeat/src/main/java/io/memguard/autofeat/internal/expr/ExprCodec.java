package io.memguard.autofeat.internal.expr;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes an expression tree as one line of prefix notation and reads it back node for node, so a
 * read tree evaluates exactly as the written one (no simplification on the way). Grammar:
 *
 * <pre>
 * expr := "(num " rational ")"
 *       | "(x " index ")"                                  input column by position
 *       | "(add " rational (" " rational " " expr)+ ")"    constant, then coefficient-term pairs
 *       | "(mul " rational (" " expr)+ ")"                 coefficient, then factors
 *       | "(pow " rational " " expr ")"                    exponent, then base
 *       | "(fn " name " " expr ")"                         name of an {@link FnKind} constant
 * rational := long | long "/" long
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class ExprCodec {

  /**
   * The deepest nesting a line may have: far beyond any feature autofeat builds (a few levels per
   * step), low enough that a corrupt line cannot exhaust the reading thread's stack.
   */
  static final int MAX_DEPTH = 200;

  private ExprCodec() {}

  /** The expression as one line. */
  public static String encode(Expr e) {
    StringBuilder sb = new StringBuilder();
    write(e, sb);
    return sb.toString();
  }

  private static void write(Expr e, StringBuilder sb) {
    if (e instanceof Num n) {
      sb.append("(num ").append(rational(n.value())).append(')');
    } else if (e instanceof Sym s) {
      sb.append("(x ").append(s.index()).append(')');
    } else if (e instanceof Add a) {
      sb.append("(add ").append(rational(a.constant()));
      List<Expr> terms = a.terms();
      List<Rational> coefficients = a.coefficients();
      for (int i = 0; i < terms.size(); i++) {
        sb.append(' ').append(rational(coefficients.get(i))).append(' ');
        write(terms.get(i), sb);
      }
      sb.append(')');
    } else if (e instanceof Mul m) {
      sb.append("(mul ").append(rational(m.coefficient()));
      for (Expr f : m.factors()) {
        sb.append(' ');
        write(f, sb);
      }
      sb.append(')');
    } else if (e instanceof Pow p) {
      sb.append("(pow ").append(rational(p.exponent())).append(' ');
      write(p.base(), sb);
      sb.append(')');
    } else {
      Fn f = (Fn) e;
      sb.append("(fn ").append(f.kind().name()).append(' ');
      write(f.arg(), sb);
      sb.append(')');
    }
  }

  private static String rational(Rational r) {
    return r.denominator() == 1
        ? Long.toString(r.numerator())
        : r.numerator() + "/" + r.denominator();
  }

  /**
   * Reads a line written by {@link #encode}; input column {@code i} is named {@code inputs.get(i)}.
   *
   * @throws IllegalArgumentException naming the position and what was expected, if the text is not
   *     such a line or names a column beyond {@code inputs}
   */
  public static Expr decode(String text, List<String> inputs) {
    Reader r = new Reader(text, inputs);
    Expr e = r.expr();
    if (r.pos != text.length()) {
      throw r.error("end of the expression");
    }
    return e;
  }

  private static final class Reader {
    private final String text;
    private final List<String> inputs;
    private int pos;
    private int depth;

    Reader(String text, List<String> inputs) {
      this.text = text;
      this.inputs = inputs;
    }

    Expr expr() {
      if (++depth > MAX_DEPTH) {
        throw error("an expression nested at most " + MAX_DEPTH + " deep");
      }
      expect('(');
      String op = word();
      Expr e =
          switch (op) {
            case "num" -> {
              space();
              yield new Num(rational());
            }
            case "x" -> {
              space();
              int at = pos;
              long index = integer();
              if (index < 0 || index >= inputs.size()) {
                pos = at;
                throw error("an input column between 0 and " + (inputs.size() - 1));
              }
              yield new Sym((int) index, inputs.get((int) index));
            }
            case "add" -> {
              space();
              Rational constant = rational();
              List<Rational> coefficients = new ArrayList<>();
              List<Expr> terms = new ArrayList<>();
              while (peek() == ' ') {
                space();
                coefficients.add(rational());
                space();
                terms.add(expr());
              }
              if (terms.isEmpty()) {
                throw error("a coefficient and a term");
              }
              yield new Add(
                  constant, terms.toArray(new Expr[0]), coefficients.toArray(new Rational[0]));
            }
            case "mul" -> {
              space();
              Rational coefficient = rational();
              List<Expr> factors = new ArrayList<>();
              while (peek() == ' ') {
                space();
                factors.add(expr());
              }
              if (factors.isEmpty()) {
                throw error("a factor");
              }
              yield new Mul(coefficient, factors.toArray(new Expr[0]));
            }
            case "pow" -> {
              space();
              Rational exponent = rational();
              space();
              yield new Pow(expr(), exponent);
            }
            case "fn" -> {
              space();
              int at = pos;
              String name = word();
              FnKind kind;
              try {
                kind = FnKind.valueOf(name);
              } catch (IllegalArgumentException unknown) {
                pos = at;
                throw error("a function name (one of " + List.of(FnKind.values()) + ")");
              }
              space();
              yield new Fn(kind, expr());
            }
            default -> {
              pos -= op.length();
              throw error("num, x, add, mul, pow or fn");
            }
          };
      expect(')');
      depth--;
      return e;
    }

    private Rational rational() {
      long num = integer();
      long den = 1;
      if (peek() == '/') {
        pos++;
        int at = pos;
        den = integer();
        if (den <= 0) {
          pos = at;
          throw error("a positive denominator");
        }
      }
      return Rational.of(num, den);
    }

    private long integer() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      try {
        return Long.parseLong(text.substring(start, pos));
      } catch (NumberFormatException e) {
        pos = start;
        throw error("an integer");
      }
    }

    private String word() {
      int start = pos;
      while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
        pos++;
      }
      return text.substring(start, pos);
    }

    private int peek() {
      return pos < text.length() ? text.charAt(pos) : -1;
    }

    private void space() {
      expect(' ');
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("'" + c + "'");
      }
      pos++;
    }

    IllegalArgumentException error(String expected) {
      String found =
          pos >= text.length()
              ? "the end"
              : "'" + text.substring(pos, Math.min(text.length(), pos + 12)) + "'";
      return new IllegalArgumentException(
          "expected " + expected + " at character " + (pos + 1) + ", found " + found);
    }
  }
}
