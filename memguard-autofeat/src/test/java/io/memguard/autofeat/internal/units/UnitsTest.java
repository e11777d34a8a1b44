package io.memguard.autofeat.internal.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.Exprs;
import io.memguard.autofeat.internal.expr.Rational;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnitsTest {

  private static Dimension d(String unit) {
    return Units.parse(unit);
  }

  @Test
  void derivedUnits_prefixes_longNames_andPlurals_reduceToTheSameDimensions() {
    assertThat(d("N")).isEqualTo(d("kg*m/s^2")).isEqualTo(d("kg m / s**2"));
    assertThat(d("N").toString()).isEqualTo("[length]*[mass]/[time]^2");
    assertThat(d("km/h")).isEqualTo(d("m/s")).isEqualTo(d("mph")).isEqualTo(d("meters/second"));
    assertThat(d("kWh")).isEqualTo(d("J")).isEqualTo(d("kW h")).isEqualTo(d("kcal"));
    assertThat(d("Pa*s")).isEqualTo(d("kg/(m*s)"));
    assertThat(d("mL")).isEqualTo(d("cm^3")).isEqualTo(d("liters"));
    assertThat(d("degC")).isEqualTo(d("K")).isEqualTo(d("°F"));
    assertThat(d("kilograms")).isEqualTo(d("g")).isEqualTo(d("lb"));
    assertThat(d("µm")).isEqualTo(d("um")).isEqualTo(d("ft")).isEqualTo(d("inch"));
    assertThat(d("m/s/s")).isEqualTo(d("m*s^-2")).isEqualTo(d("m / s ** 2"));
    assertThat(d("V*A")).isEqualTo(d("W"));
    assertThat(d("ohm")).isEqualTo(d("V/A"));
    assertThat(d("Hz")).isEqualTo(d("1/s")).isEqualTo(d("rpm"));
    assertThat(d("min")).isEqualTo(d("s")).isEqualTo(d("ms")).isEqualTo(d("hours"));
    assertThat(d("m^0.5")).isEqualTo(d("m**(1/2)"));
    assertThat(d("m^0.5").exponents()).containsEntry("length", Rational.HALF);
    assertThat(d("(m/s)^2")).isEqualTo(d("m^2/s^2"));
    assertThat(d("3.6 km/h")).isEqualTo(d("m/s"));
  }

  @Test
  void scaleFactorsOfAnySize_moreNames_andOverflowingExponents() {
    assertThat(d("1.602176634e-19 C")).isEqualTo(d("C"));
    assertThat(d("6.02214076e23/mol")).isEqualTo(d("1/mol"));
    assertThat(d("1e300 m")).isEqualTo(d("m"));
    assertThat(d("dB").isNone()).isTrue();
    assertThat(d("hrs")).isEqualTo(d("s"));
    assertThat(d("yrs")).isEqualTo(d("s"));
    assertThat(d("kgs")).isEqualTo(d("kg"));
    assertThat(d("inches")).isEqualTo(d("m"));
    assertThatThrownBy(() -> Units.parse("m^4611686018427387904 m^4611686018427387904"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");
  }

  @Test
  void dimensionless_andOwnBaseDimensions() {
    for (String none : List.of("", "  ", "1", "%", "percent", "rad", "degree", "m/km", "ppm")) {
      assertThat(d(none).isNone()).as(none).isTrue();
    }
    assertThat(d("dimensionless").toString()).isEqualTo("dimensionless");
    Dimension price = d("[currency]/kg");
    assertThat(price.exponents())
        .containsEntry("currency", Rational.ONE)
        .containsEntry("mass", Rational.MINUS_ONE);
    assertThat(price.times(d("kg"))).isEqualTo(d("[currency]"));
  }

  @Test
  void unreadableUnits_sayWhereAndWhatToWrite() {
    assertThatThrownBy(() -> Units.parse("furlong"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'furlong' is not a unit memguard knows")
        .hasMessageContaining("[currency]");
    assertThatThrownBy(() -> Units.parse("m2")).hasMessageContaining("'m2' is not a unit");
    assertThatThrownBy(() -> Units.parse("m/(s")).hasMessageContaining("expected ')'");
    assertThatThrownBy(() -> Units.parse("m^x")).hasMessageContaining("expected a number");
    assertThatThrownBy(() -> Units.parse("m/")).hasMessageContaining("missing at the end");
    assertThatThrownBy(() -> Units.parse("[]")).hasMessageContaining("in brackets");
    assertThatThrownBy(() -> Units.parse("m $")).hasMessageContaining("at character 3");
  }

  @Test
  void expressions_mixingDimensions_areNotAllowed() {
    Expr x = Exprs.sym(0, "x");
    Expr t = Exprs.sym(1, "t");
    Expr r = Exprs.sym(2, "r");
    ExprDimensions dims = new ExprDimensions(List.of(d("m"), d("s"), Dimension.NONE));
    assertThat(dims.any()).isTrue();
    assertThat(dims.of(Exprs.mul(x, Exprs.pow(t, -1)))).isEqualTo(d("m/s"));
    assertThat(dims.of(Exprs.pow(x, Rational.HALF))).isEqualTo(d("m^0.5"));
    assertThat(dims.of(Exprs.abs(Exprs.sub(x, Exprs.mul(r, x))))).isEqualTo(d("m"));
    assertThat(dims.allows(Exprs.log(r))).isTrue();
    assertThat(dims.allows(Exprs.exp(Exprs.mul(x, Exprs.pow(x, -1))))).isTrue();
    assertThat(dims.allows(Exprs.log(x))).isFalse();
    assertThat(dims.allows(Exprs.exp(t))).isFalse();
    assertThat(dims.allows(Exprs.add(x, t))).isFalse();
    assertThat(dims.allows(Exprs.add(x, r))).isFalse();
    assertThat(dims.allows(Exprs.add(Exprs.num(1), x))).isFalse();
    assertThat(dims.allows(Exprs.add(Exprs.num(1), r))).isTrue();
    assertThat(dims.allows(Exprs.mul(x, Exprs.log(t)))).isFalse();
    assertThat(new ExprDimensions(List.of(Dimension.NONE)).any()).isFalse();
    // exponents whose sum outgrows exact longs: no dimension, so the expression is left out
    ExprDimensions fine =
        new ExprDimensions(List.of(d("m^0.000000001"), d("m^0.0000000003"), Dimension.NONE));
    assertThat(fine.of(Exprs.mul(x, t))).isNull();
    assertThat(fine.of(Exprs.mul(x, x))).isEqualTo(d("m^0.000000002"));
  }
}
