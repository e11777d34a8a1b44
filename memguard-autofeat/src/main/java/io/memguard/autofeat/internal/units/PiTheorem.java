package io.memguard.autofeat.internal.units;

import io.memguard.autofeat.internal.expr.Rational;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The Buckingham Pi theorem: dimensionless products of powers of quantities with dimensions, one
 * per dimension of the null space of the quantities' dimension matrix; stateless and thread-safe.
 *
 * <p>As pint's {@code pi_theorem} does, the quantities are the rows of the matrix (base dimensions
 * in name order are its columns), reduced to row echelon form in exact arithmetic while an identity
 * matrix records the row operations; each row that becomes zero gives a group, its exponents those
 * of the recorded row, scaled to the smallest integers and signed so that at most half are
 * negative.
 */
public final class PiTheorem {

  private PiTheorem() {}

  /**
   * The dimensionless groups of {@code dimensions}: each an array of integer exponents, one per
   * quantity (0 where a quantity is not in the group), in the order of the quantities.
   *
   * @throws ArithmeticException if an exponent overflows a {@code long} (never for dimensions of
   *     real units)
   */
  public static List<long[]> groups(List<Dimension> dimensions) {
    int q = dimensions.size();
    TreeSet<String> names = new TreeSet<>();
    for (Dimension d : dimensions) {
      names.addAll(d.exponents().keySet());
    }
    List<String> bases = new ArrayList<>(names);
    int cols = bases.size();
    Rational[][] m = new Rational[q][cols];
    Rational[][] id = new Rational[q][q];
    for (int i = 0; i < q; i++) {
      for (int c = 0; c < cols; c++) {
        m[i][c] = dimensions.get(i).exponents().getOrDefault(bases.get(c), Rational.ZERO);
      }
      for (int k = 0; k < q; k++) {
        id[i][k] = i == k ? Rational.ONE : Rational.ZERO;
      }
    }
    int lead = 0;
    for (int r = 0; r < q && lead < cols; r++) {
      int i = r;
      while (m[i][lead].isZero()) {
        if (++i == q) {
          i = r;
          if (++lead == cols) {
            break;
          }
        }
      }
      if (lead == cols) {
        break;
      }
      swap(m, i, r);
      swap(id, i, r);
      Rational inv = inverse(m[r][lead]);
      scale(m[r], inv);
      scale(id[r], inv);
      for (int k = 0; k < q; k++) {
        if (k != r && !m[k][lead].isZero()) {
          Rational f = m[k][lead].negate();
          addScaled(m[k], m[r], f);
          addScaled(id[k], id[r], f);
        }
      }
      lead++;
    }
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < q; i++) {
      boolean zero = true;
      for (Rational x : m[i]) {
        zero &= x.isZero();
      }
      if (zero) {
        out.add(integers(id[i]));
      }
    }
    return out;
  }

  /**
   * How many groups {@link #groups} finds for {@code dimensions}: the quantities less the rank of
   * their dimension matrix, found on that matrix alone (base dimensions by quantities, small).
   */
  public static int count(List<Dimension> dimensions) {
    TreeSet<String> names = new TreeSet<>();
    for (Dimension d : dimensions) {
      names.addAll(d.exponents().keySet());
    }
    List<String> bases = new ArrayList<>(names);
    int q = dimensions.size();
    Rational[][] m = new Rational[bases.size()][q];
    for (int b = 0; b < bases.size(); b++) {
      for (int k = 0; k < q; k++) {
        m[b][k] = dimensions.get(k).exponents().getOrDefault(bases.get(b), Rational.ZERO);
      }
    }
    int rank = 0;
    for (int c = 0; c < q && rank < m.length; c++) {
      int pivot = rank;
      while (pivot < m.length && m[pivot][c].isZero()) {
        pivot++;
      }
      if (pivot == m.length) {
        continue;
      }
      swap(m, pivot, rank);
      Rational inv = inverse(m[rank][c]);
      scale(m[rank], inv);
      for (int r = 0; r < m.length; r++) {
        if (r != rank && !m[r][c].isZero()) {
          addScaled(m[r], m[rank], m[r][c].negate());
        }
      }
      rank++;
    }
    return q - rank;
  }

  /**
   * An upper bound of the heap bytes {@link #groups} allocates for {@code q} quantities over {@code
   * bases} base dimensions: its two exact matrices (one {@link Rational} of at most {@value
   * #RATIONAL_BYTES} bytes per cell) and the groups.
   */
  public static long workBytes(int q, int bases) {
    long cells = (long) q * q + (long) q * bases;
    return cells * (RATIONAL_BYTES + 4) + 2L * q * 16 + (long) q * (16 + 8L * q) + 64;
  }

  /** A {@link Rational}: a header and two longs, aligned. */
  private static final int RATIONAL_BYTES = 32;

  private static long[] integers(Rational[] row) {
    long lcm = 1;
    for (Rational x : row) {
      lcm = Math.multiplyExact(lcm / gcd(lcm, x.denominator()), x.denominator());
    }
    long[] v = new long[row.length];
    long g = 0;
    int negative = 0;
    int positive = 0;
    for (int k = 0; k < row.length; k++) {
      v[k] = Math.multiplyExact(row[k].numerator(), lcm / row[k].denominator());
      g = gcd(g, Math.abs(v[k]));
      negative += v[k] < 0 ? 1 : 0;
      positive += v[k] > 0 ? 1 : 0;
    }
    int sign = negative > positive ? -1 : 1;
    for (int k = 0; k < v.length; k++) {
      v[k] = sign * (g > 1 ? v[k] / g : v[k]);
    }
    return v;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  private static Rational inverse(Rational x) {
    return Rational.of(x.denominator(), x.numerator());
  }

  private static void swap(Rational[][] a, int i, int j) {
    Rational[] t = a[i];
    a[i] = a[j];
    a[j] = t;
  }

  private static void scale(Rational[] row, Rational f) {
    for (int k = 0; k < row.length; k++) {
      row[k] = row[k].times(f);
    }
  }

  private static void addScaled(Rational[] row, Rational[] pivot, Rational f) {
    for (int k = 0; k < row.length; k++) {
      row[k] = row[k].plus(pivot[k].times(f));
    }
  }
}
