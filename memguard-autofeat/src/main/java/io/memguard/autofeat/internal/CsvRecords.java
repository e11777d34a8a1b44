package io.memguard.autofeat.internal;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV records as RFC 4180 defines them, with the leniencies real files need: fields separated
 * by commas; records ended by CRLF, LF or CR; a field in double quotes may hold commas, line breaks
 * and doubled quotes ({@code ""} for one {@code "}); a UTF-8 byte order mark before the first
 * record is dropped; unquoted fields are stripped of surrounding spaces and tabs, quoted ones are
 * kept as written. A quote inside an unquoted field, text after a closing quote, or a quote left
 * open at the end of the input is an error naming the line. Not thread-safe: one reader per input.
 */
public final class CsvRecords {

  private static final int BOM = '\uFEFF';

  private final Reader in;
  private final String source;
  private int line = 1;
  private int pushedBack = -2;
  private boolean started;
  private int recordLine;

  /**
   * @param in the text, buffered by the caller if it is worth it
   * @param source how to name the input in error messages
   */
  public CsvRecords(Reader in, String source) {
    this.in = in;
    this.source = source;
  }

  /** The physical line (1-based) where the record last returned by {@link #next()} started. */
  public int recordLine() {
    return recordLine;
  }

  /**
   * The next record's fields, or {@code null} at the end of the input. A blank line is a record of
   * one empty field.
   *
   * @throws IllegalArgumentException naming the line of malformed quoting
   */
  public String[] next() throws IOException {
    int c = read();
    if (!started) {
      started = true;
      if (c == BOM) {
        c = read();
      }
    }
    if (c < 0) {
      return null;
    }
    recordLine = line;
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    while (true) {
      while (c == ' ' || c == '\t') {
        c = read();
      }
      if (c == '"') {
        readQuoted(field);
        c = read();
        while (c == ' ' || c == '\t') {
          c = read();
        }
        if (c != ',' && c != '\n' && c != '\r' && c >= 0) {
          throw new IllegalArgumentException(
              source
                  + " line "
                  + line
                  + ": text after a closing quote; a quote inside a quoted field is written \"\"");
        }
        fields.add(field.toString());
      } else {
        while (c != ',' && c != '\n' && c != '\r' && c >= 0) {
          if (c == '"') {
            throw new IllegalArgumentException(
                source
                    + " line "
                    + line
                    + ": a quote inside an unquoted field; quote the whole field and double the quote");
          }
          field.append((char) c);
          c = read();
        }
        fields.add(field.toString().strip());
      }
      field.setLength(0);
      if (c == ',') {
        c = read();
        continue;
      }
      endOfRecord(c);
      return fields.toArray(String[]::new);
    }
  }

  private void readQuoted(StringBuilder field) throws IOException {
    int opened = line;
    while (true) {
      int c = read();
      if (c < 0) {
        throw new IllegalArgumentException(
            source
                + " line "
                + opened
                + ": a quoted field is not closed before the end of the input");
      }
      if (c == '"') {
        int d = read();
        if (d == '"') {
          field.append('"');
          continue;
        }
        unread(d);
        return;
      }
      if (c == '\r') {
        int d = read();
        if (d != '\n') {
          unread(d);
        }
        field.append('\n');
        line++;
        continue;
      }
      if (c == '\n') {
        line++;
      }
      field.append((char) c);
    }
  }

  private void endOfRecord(int c) throws IOException {
    if (c == '\r') {
      int d = read();
      if (d != '\n') {
        unread(d);
      }
    }
    if (c >= 0) {
      line++;
    }
  }

  private int read() throws IOException {
    if (pushedBack != -2) {
      int c = pushedBack;
      pushedBack = -2;
      return c;
    }
    return in.read();
  }

  private void unread(int c) {
    pushedBack = c;
  }
}
