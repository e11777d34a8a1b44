package io.memguard.autofeat.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Utf8OutputTest {

  /** ASCII, two- and three-byte characters, surrogate pairs and lone surrogates. */
  private static String randomText(SplittableRandom random, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(8)) {
        case 0 -> sb.append((char) (0x80 + random.nextInt(0x780)));
        case 1 -> sb.append((char) (0x800 + random.nextInt(0xD000)));
        case 2 -> sb.appendCodePoint(0x10000 + random.nextInt(0xFFFFF));
        case 3 -> sb.append((char) (0xD800 + random.nextInt(0x800)));
        default -> sb.append((char) (' ' + random.nextInt(95)));
      }
    }
    return sb.toString();
  }

  @Test
  void charsAndStrings_encodeAsTheJdksUtf8Writer_acrossBufferBoundaries() throws IOException {
    SplittableRandom random = new SplittableRandom(11);
    for (int round = 0; round < 200; round++) {
      String text = randomText(random, random.nextInt(400));
      int cut = text.isEmpty() ? 0 : random.nextInt(text.length() + 1);
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      try (Writer w = new OutputStreamWriter(expected, StandardCharsets.UTF_8)) {
        w.write(text, 0, cut);
        w.write(text, cut, text.length() - cut);
      }
      ByteArrayOutputStream actual = new ByteArrayOutputStream();
      try (Utf8Output out = new Utf8Output(actual, 64 + random.nextInt(64))) {
        out.write(text.toCharArray(), 0, cut);
        out.write(text.substring(cut));
      }
      // the JDK's writer joins a pair split between two writes; memguard's records never split one
      boolean splitPair =
          cut > 0
              && cut < text.length()
              && Character.isHighSurrogate(text.charAt(cut - 1))
              && Character.isLowSurrogate(text.charAt(cut));
      if (!splitPair) {
        assertThat(actual.toByteArray()).as("round %d", round).isEqualTo(expected.toByteArray());
      }
    }
  }

  @Test
  void doubles_areWrittenAsDoubleToDecimalWritesThem() throws IOException {
    SplittableRandom random = new SplittableRandom(5);
    ByteArrayOutputStream actual = new ByteArrayOutputStream();
    StringBuilder expected = new StringBuilder();
    try (Utf8Output out = new Utf8Output(actual, 64)) {
      for (int i = 0; i < 10_000; i++) {
        double v = Double.longBitsToDouble(random.nextLong());
        out.write(v);
        out.writeAscii(',');
        DoubleToDecimal.append(expected, v);
        expected.append(',');
      }
    }
    assertThat(actual.toString(StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
  }

  @Test
  void closingTwice_closesTheStreamOnce() throws IOException {
    int[] closes = {0};
    ByteArrayOutputStream bytes =
        new ByteArrayOutputStream() {
          @Override
          public void close() {
            closes[0]++;
          }
        };
    Utf8Output out = new Utf8Output(bytes, 64);
    out.write("a,b");
    out.close();
    out.close();
    assertThat(closes[0]).isEqualTo(1);
    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("a,b");
  }
}
