package io.memguard.autofeat.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Text written as UTF-8 into a byte buffer and handed to an {@link OutputStream} when full: what a
 * {@code BufferedWriter} over an {@code OutputStreamWriter} does, without the char buffer and the
 * encoder between them, and with doubles written straight into the bytes by {@link
 * DoubleToDecimal}. A lone surrogate is written as {@code ?}, as the JDK's UTF-8 encoder replaces
 * it. Not thread-safe; {@link #close} flushes and closes the stream, and a second close does
 * nothing.
 */
public final class Utf8Output implements Closeable {

  private final OutputStream out;
  private final byte[] buf;
  private int pos;
  private boolean closed;

  /** A buffer of {@code bufferBytes} (at least 64) in front of {@code out}. */
  public Utf8Output(OutputStream out, int bufferBytes) {
    this.out = Objects.requireNonNull(out, "out");
    this.buf = new byte[Math.max(64, bufferBytes)];
  }

  /** Writes one ASCII character ({@code c < 128}). */
  public void writeAscii(char c) throws IOException {
    if (pos == buf.length) {
      flushBuffer();
    }
    buf[pos++] = (byte) c;
  }

  /** Writes {@code text} as UTF-8. */
  public void write(String text) throws IOException {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        writeAscii(c);
      } else {
        i = writeNonAscii(c, i + 1 < text.length() ? text.charAt(i + 1) : 0, i);
      }
    }
  }

  /** Writes {@code len} characters of {@code text} from {@code off} as UTF-8. */
  public void write(char[] text, int off, int len) throws IOException {
    int end = off + len;
    int i = off;
    while (i < end) {
      int room = buf.length - pos;
      if (room == 0) {
        flushBuffer();
        room = buf.length;
      }
      int stop = Math.min(end, i + room);
      byte[] b = buf;
      int p = pos;
      while (i < stop) {
        char c = text[i];
        if (c >= 0x80) {
          break;
        }
        b[p++] = (byte) c;
        i++;
      }
      pos = p;
      if (i < stop) {
        i = writeNonAscii(text[i], i + 1 < end ? text[i + 1] : 0, i) + 1;
      }
    }
  }

  /**
   * Writes the non-ASCII {@code c} (followed by {@code next}, or 0 at the end) and returns the
   * index of the last character used, {@code index} or {@code index + 1} for a surrogate pair.
   */
  private int writeNonAscii(char c, char next, int index) throws IOException {
    if (buf.length - pos < 4) {
      flushBuffer();
    }
    if (c < 0x800) {
      buf[pos++] = (byte) (0xC0 | c >> 6);
      buf[pos++] = (byte) (0x80 | c & 0x3F);
      return index;
    }
    if (Character.isHighSurrogate(c) && Character.isLowSurrogate(next)) {
      int cp = Character.toCodePoint(c, next);
      buf[pos++] = (byte) (0xF0 | cp >> 18);
      buf[pos++] = (byte) (0x80 | cp >> 12 & 0x3F);
      buf[pos++] = (byte) (0x80 | cp >> 6 & 0x3F);
      buf[pos++] = (byte) (0x80 | cp & 0x3F);
      return index + 1;
    }
    if (Character.isSurrogate(c)) {
      buf[pos++] = '?';
      return index;
    }
    buf[pos++] = (byte) (0xE0 | c >> 12);
    buf[pos++] = (byte) (0x80 | c >> 6 & 0x3F);
    buf[pos++] = (byte) (0x80 | c & 0x3F);
    return index;
  }

  /** Writes {@code v} as {@link DoubleToDecimal} does. */
  public void write(double v) throws IOException {
    if (buf.length - pos < DoubleToDecimal.MAX_CHARS) {
      flushBuffer();
    }
    pos = DoubleToDecimal.write(buf, pos, v);
  }

  private void flushBuffer() throws IOException {
    out.write(buf, 0, pos);
    pos = 0;
  }

  /** Hands what is buffered to the stream and flushes it. */
  public void flush() throws IOException {
    flushBuffer();
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      flushBuffer();
    } finally {
      out.close();
    }
  }
}
