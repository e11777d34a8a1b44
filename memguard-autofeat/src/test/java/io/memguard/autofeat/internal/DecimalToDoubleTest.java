package io.memguard.autofeat.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecimalToDoubleTest {

  @Test
  void everyDoubleToStringOutput_readsBackToTheSameBits() throws IOException {
    SplittableRandom random = new SplittableRandom(5);
    int n = 1_000_000;
    StringBuilder csv = new StringBuilder("x\n");
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      double v;
      do {
        v =
            switch (i % 4) {
              case 0 -> Double.longBitsToDouble(random.nextLong());
              case 1 -> random.nextDouble();
              case 2 -> random.nextGaussian() * Math.pow(10, random.nextInt(-12, 12));
              default ->
                  Double.longBitsToDouble(
                      random.nextLong(0x0010000000000000L, 0x0030000000000000L));
            };
      } while (!Double.isFinite(v));
      values[i] = v;
      csv.append(v).append('\n');
    }
    CsvScanner scanner = new CsvScanner(new StringReader(csv.toString()), "t", 1 << 16);
    scanner.next();
    for (int i = 0; i < n; i++) {
      scanner.next();
      double got = scanner.number(0, "x");
      assertThat(Double.doubleToRawLongBits(got))
          .as("%s", Double.toString(values[i]))
          .isEqualTo(Double.doubleToRawLongBits(values[i]));
    }
  }

  @Test
  void theFastPath_answersForTypicalDecimals() {
    SplittableRandom random = new SplittableRandom(6);
    int unsure = 0;
    for (int i = 0; i < 100_000; i++) {
      double v = random.nextDouble() * 1000;
      String text = Double.toString(v);
      long w = 0;
      int digits = 0;
      int q = 0;
      boolean point = false;
      for (char c : text.toCharArray()) {
        if (c == '.') {
          point = true;
        } else if (c == 'E') {
          break;
        } else {
          if (w != 0 || c != '0') {
            w = w * 10 + (c - '0');
            digits++;
          }
          if (point) {
            q--;
          }
        }
      }
      if (text.contains("E")) {
        continue;
      }
      long bits = DecimalToDouble.bits(w, digits, q);
      if (bits == DecimalToDouble.UNSURE) {
        unsure++;
      } else {
        assertThat(Double.longBitsToDouble(bits)).as(text).isEqualTo(v);
      }
    }
    assertThat(unsure).isLessThan(100);
  }
}
