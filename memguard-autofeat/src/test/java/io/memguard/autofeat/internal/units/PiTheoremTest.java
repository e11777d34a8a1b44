package io.memguard.autofeat.internal.units;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PiTheoremTest {

  private static List<long[]> groups(String... units) {
    return PiTheorem.groups(java.util.Arrays.stream(units).map(Units::parse).toList());
  }

  /** Whether the product of the quantities to {@code exponents} is dimensionless. */
  private static boolean dimensionless(long[] exponents, String... units) {
    Dimension d = Dimension.NONE;
    for (int k = 0; k < units.length; k++) {
      d =
          d.times(
              Units.parse(units[k])
                  .pow(io.memguard.autofeat.internal.expr.Rational.of(exponents[k])));
    }
    return d.isNone();
  }

  @Test
  void reynoldsNumber_fromDensitySpeedLengthAndViscosity() {
    List<long[]> g = groups("kg/m^3", "m/s", "m", "Pa*s");
    assertThat(g).hasSize(1);
    assertThat(g.get(0)).containsExactly(1, 1, 1, -1);
  }

  @Test
  void pendulum_periodLengthGravity() {
    List<long[]> g = groups("s", "m", "m/s^2");
    assertThat(g).hasSize(1);
    assertThat(g.get(0)).containsExactly(2, -1, 1);
  }

  @Test
  void groupsAreDimensionless_independent_andAsManyAsTheTheoremSays() {
    String[] units = {"m", "s", "m/s", "m/s^2", "kg", "N", "J", "cm"};
    List<long[]> g = groups(units);
    // 8 quantities, 3 base dimensions of rank 3
    assertThat(g).hasSize(5);
    for (long[] e : g) {
      assertThat(dimensionless(e, units)).as(java.util.Arrays.toString(e)).isTrue();
      long positive = java.util.Arrays.stream(e).filter(x -> x > 0).count();
      long negative = java.util.Arrays.stream(e).filter(x -> x < 0).count();
      assertThat(negative).isLessThanOrEqualTo(positive);
    }
    // the same length twice: their ratio is a group
    assertThat(groups("m", "cm")).hasSize(1);
    assertThat(Math.abs(groups("m", "cm").get(0)[0])).isEqualTo(1);
    assertThat(groups("m", "cm").get(0)[0]).isEqualTo(-groups("m", "cm").get(0)[1]);
    assertThat(groups("m", "s")).isEmpty();
    for (String[] set :
        new String[][] {
          units, {"m", "cm"}, {"m", "s"}, {"kg/m^3", "m/s", "m", "Pa*s"}, {"J", "N", "m"}
        }) {
      assertThat(PiTheorem.count(java.util.Arrays.stream(set).map(Units::parse).toList()))
          .as(String.join(",", set))
          .isEqualTo(groups(set).size());
    }
    assertThat(PiTheorem.workBytes(100, 4)).isGreaterThan(100L * 100 * 32);
    // half powers are scaled to integers
    long[] half = groups("m^0.5", "m").get(0);
    assertThat(half[0] * half[1]).isEqualTo(-2);
    assertThat(Math.abs(half[0])).isEqualTo(2);
  }
}
