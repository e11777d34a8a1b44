package io.memguard.autofeat.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CsvScannerTest {

  @Test
  void numbers_readExactlyAsParseDoubleReadsThem() throws IOException {
    SplittableRandom random = new SplittableRandom(11);
    List<String> texts =
        new ArrayList<>(
            List.of(
                "0",
                "-0",
                "+1",
                ".5",
                "5.",
                "-.25",
                "1e22",
                "1e23",
                "1e-22",
                "1e-23",
                "9007199254740993",
                "123456789012345",
                "1234567890123456",
                "0.000000000000000000001",
                "00012.5000",
                "4.9e-324",
                "1.7976931348623157e308",
                "2.2250738585072014E-308",
                "1E5",
                "1e+5",
                "0.1",
                "0.2",
                "0.30000000000000004",
                "1.5d",
                "0x1.8p1",
                "  7.25  ",
                "0.0",
                "-0.000",
                "000.000",
                "0.00000000000000000001234567890123456789",
                "123456789012345678",
                "1234567890123456789",
                "123456789012345678901234.5",
                "1000000000000000000000.0001"));
    for (int i = 0; i < 200_000; i++) {
      double v =
          switch (random.nextInt(5)) {
            case 0 -> random.nextDouble() * Math.pow(10, random.nextInt(-30, 30));
            case 1 -> random.nextInt(-1_000_000, 1_000_000) / 1000.0;
            case 2 -> Double.longBitsToDouble(random.nextLong()) % 1e12;
            case 3 -> random.nextGaussian() * 100;
            default -> random.nextLong(-99_999_999_999L, 99_999_999_999L) / 1e6;
          };
      if (!Double.isFinite(v)) {
        continue;
      }
      texts.add(
          switch (random.nextInt(4)) {
            case 0 -> Double.toString(v);
            case 1 -> String.format(Locale.ROOT, "%.6f", v);
            case 2 -> String.format(Locale.ROOT, "%.10e", v);
            default -> String.format(Locale.ROOT, "%." + random.nextInt(1, 17) + "g", v);
          });
    }
    StringBuilder csv = new StringBuilder("x\n");
    for (String t : texts) {
      csv.append(t).append('\n');
    }
    CsvScanner scanner = new CsvScanner(new StringReader(csv.toString()), "t", 64);
    assertThat(scanner.next()).isTrue(); // header
    for (String t : texts) {
      assertThat(scanner.next()).isTrue();
      double expected = Double.parseDouble(t);
      assertThat(Double.doubleToRawLongBits(scanner.number(0, "x")))
          .as("'%s'", t)
          .isEqualTo(Double.doubleToRawLongBits(expected));
    }
    assertThat(scanner.next()).isFalse();
  }

  @Test
  void records_areWhatCsvRecordsReads_whateverTheBufferSize() throws IOException {
    SplittableRandom random = new SplittableRandom(3);
    String[] pieces = {
      "1",
      "-2.5",
      "abc",
      " 7 ",
      "\"q\"",
      "\"a,b\"",
      "\"x\"\"y\"",
      "\"l1\nl2\"",
      "\"c\r\nd\"",
      "",
      "\"\"",
      "\u2003u\u2003",
      "3e2"
    };
    String[] ends = {"\n", "\r\n", "\r"};
    for (int doc = 0; doc < 300; doc++) {
      StringBuilder sb = new StringBuilder(random.nextInt(4) == 0 ? "\uFEFF" : "");
      int records = random.nextInt(0, 30);
      for (int r = 0; r < records; r++) {
        if (random.nextInt(8) == 0) {
          sb.append(random.nextBoolean() ? "" : "   ");
        } else {
          int fields = random.nextInt(1, 6);
          for (int f = 0; f < fields; f++) {
            if (f > 0) {
              sb.append(',');
            }
            sb.append(pieces[random.nextInt(pieces.length)]);
          }
        }
        if (r < records - 1 || random.nextBoolean()) {
          sb.append(ends[random.nextInt(ends.length)]);
        }
      }
      String text = sb.toString();
      CsvRecords expected = new CsvRecords(new BufferedReader(new StringReader(text)), "doc");
      CsvScanner actual = new CsvScanner(new StringReader(text), "doc", random.nextInt(16, 80));
      for (String[] e = expected.next(); e != null; e = expected.next()) {
        if (e.length == 1 && e[0].isEmpty()) {
          continue;
        }
        assertThat(actual.next()).as(text).isTrue();
        assertThat(actual.fields()).as(text).containsExactly(e);
        assertThat(actual.recordLine()).as(text).isEqualTo(expected.recordLine());
        String raw =
            new String(
                actual.buffer(), actual.recordStart(), actual.recordEnd() - actual.recordStart());
        assertThat(raw).doesNotContain("\n\n").doesNotEndWith("\n").doesNotEndWith("\r");
      }
      assertThat(actual.next()).as(text).isFalse();
    }
  }

  @Test
  void errors_nameTheLineAndColumn() {
    assertThatThrownBy(() -> scanAll("a,b\n1,2\n3,x\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("in line 3, column 'b': 'x' is not a finite number; ")
        .hasMessageContaining("a feature column of text is categorical");
    assertThatThrownBy(() -> scanAll("a\n1\n2e999\n"))
        .hasMessageStartingWith("in line 3, column 'a': '2e999' is not a finite number; ")
        .hasMessageContaining("double's range");
    assertThatThrownBy(() -> scanAll("a,b\n1,NA\n"))
        .hasMessageStartingWith("in line 2, column 'b': 'NA' is not a finite number; ")
        .hasMessageContaining("missing value");
    assertThatThrownBy(() -> scanAll("a\n\"1\n"))
        .hasMessage("in line 2: a quoted field is not closed before the end of the input");
    assertThatThrownBy(() -> scanAll("a\n\"1\"x\n"))
        .hasMessageContaining("in line 2: text after a closing quote");
    assertThatThrownBy(() -> scanAll("a\n1\"2\n"))
        .hasMessageContaining("in line 2: a quote inside an unquoted field");
  }

  private static void scanAll(String text) throws IOException {
    CsvScanner s = new CsvScanner(new StringReader(text), "in", 16);
    s.next();
    String[] header = s.fields();
    while (s.next()) {
      for (int j = 0; j < s.fieldCount(); j++) {
        s.number(j, header[j]);
      }
    }
  }
}
