package io.memguard.autofeat.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.Arrays;

/**
 * A fast reader of CSV records in {@link CsvRecords}'s dialect, for streaming: it reads the text in
 * large chunks into one buffer and exposes each record in place (its raw text and its fields'
 * ranges), parsing numbers without making strings for them. The current record stays valid until
 * the next call to {@link #next()}. Numbers are read exactly as {@link Double#parseDouble} reads
 * them: plain decimals of at most 18 significant digits go through {@link DecimalToDouble} (which
 * answers only when sure of the correctly rounded result), anything else through {@code
 * parseDouble}. Not thread-safe: one scanner per input.
 */
public final class CsvScanner implements Closeable {

  private final Reader in;
  private final String source;
  private char[] buf;
  private int limit;
  private boolean eof;
  private boolean started;

  /** Start of the current record in buf, end of its text (before the terminator), next start. */
  private int recordStart;

  private int recordEnd;
  private int nextStart;
  private int recordLine;
  private int nextLine = 1;

  private int fieldCount;
  private int[] fieldStart = new int[16];
  private int[] fieldEnd = new int[16];
  private boolean[] fieldQuoted = new boolean[16];
  private long charsRead;

  /**
   * @param in the text (not buffered by the scanner's caller: the scanner reads big chunks)
   * @param source how to name the input in error messages
   * @param bufferChars the initial buffer (it grows for a record longer than it)
   */
  public CsvScanner(Reader in, String source, int bufferChars) {
    this.in = in;
    this.source = source;
    this.buf = new char[Math.max(16, bufferChars)];
  }

  /** Characters the scanner's buffer holds: what it takes of the heap is twice this. */
  public int bufferChars() {
    return buf.length;
  }

  /** Characters read from the input so far. */
  public long charsRead() {
    return charsRead;
  }

  /**
   * Advances to the next record that is not a blank line; false at the end of the input.
   *
   * @throws IllegalArgumentException naming the line of malformed quoting
   */
  public boolean next() throws IOException {
    for (; ; ) {
      if (!parseRecord()) {
        return false;
      }
      if (!(fieldCount == 1 && fieldStart[0] == fieldEnd[0])) {
        return true;
      }
    }
  }

  /** The physical line (1-based) where the current record starts. */
  public int recordLine() {
    return recordLine;
  }

  /** The current record's number of fields. */
  public int fieldCount() {
    return fieldCount;
  }

  /** The buffer holding the current record's raw text. */
  public char[] buffer() {
    return buf;
  }

  /** Where the current record's raw text starts in {@link #buffer()}. */
  public int recordStart() {
    return recordStart;
  }

  /** Where the current record's raw text ends (its line terminator excluded). */
  public int recordEnd() {
    return recordEnd;
  }

  /**
   * The index in {@code table} of field {@code j}'s text, or -1 when it is none of its texts; an
   * unquoted field is looked up in place, without a string.
   */
  public int category(int j, CategoryTable table) {
    if (fieldQuoted[j]) {
      return table.code(field(j));
    }
    return table.code(buf, fieldStart[j], fieldEnd[j]);
  }

  /** Field {@code j} of the current record as a string (quotes removed, {@code ""} as one). */
  public String field(int j) {
    if (!fieldQuoted[j]) {
      return new String(buf, fieldStart[j], fieldEnd[j] - fieldStart[j]);
    }
    StringBuilder sb = new StringBuilder(fieldEnd[j] - fieldStart[j]);
    for (int i = fieldStart[j]; i < fieldEnd[j]; i++) {
      char c = buf[i];
      if (c == '"') {
        i++; // a doubled quote
      } else if (c == '\r') {
        if (i + 1 < fieldEnd[j] && buf[i + 1] == '\n') {
          i++;
        }
        c = '\n';
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** The current record's fields as strings. */
  public String[] fields() {
    String[] out = new String[fieldCount];
    for (int j = 0; j < fieldCount; j++) {
      out[j] = field(j);
    }
    return out;
  }

  /**
   * Field {@code j} of the current record as a finite number.
   *
   * @param column the column's name, for the error
   * @throws IllegalArgumentException naming the input, line and column when it is not a finite
   *     number
   */
  public double number(int j, String column) {
    return number(j, column, false);
  }

  /**
   * Field {@code j}, a target column's cell, as a finite number: {@link #number(int, String)} with
   * an error that says what to do about a target.
   */
  public double targetNumber(int j, String column) {
    return number(j, column, true);
  }

  private double number(int j, String column, boolean target) {
    double v = fieldQuoted[j] ? Double.NaN : fastNumber(fieldStart[j], fieldEnd[j]);
    if (Double.isNaN(v)) {
      String text = field(j);
      try {
        v = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        v = Double.NaN;
      }
      if (!Double.isFinite(v)) {
        throw target
            ? notAFiniteTarget(source, recordLine, column, text)
            : notAFiniteNumber(source, recordLine, column, text);
      }
    }
    return v;
  }

  /**
   * The error for a feature cell that is not a finite number: where it is, what it holds and what
   * to do about it, which depends on whether the cell is missing, out of range or text.
   *
   * @param source how to name the input
   */
  public static IllegalArgumentException notAFiniteNumber(
      String source, long line, String column, String text) {
    String advice;
    if (TargetCells.isMissing(text)) {
      advice =
          "it is a missing value, and a fit needs a number in every cell of every column it reads:"
              + " impute or drop the missing values first (or leave the column out of the file)";
    } else if (TargetCells.isNumber(text)) {
      advice = "scale the column into double's range (about 1.8e308) or leave it out of the file";
    } else {
      advice =
          "a feature column of text is categorical: to fit, name it so and it is read as one 0/1"
              + " column per category (Dataset.fromCsv(file, target, List.of(\""
              + column.replace("\"", "\\\"")
              + "\")), or Categories.scan(file, List.of(\""
              + column.replace("\"", "\\\"")
              + "\")) for a CsvSource); read new data with the model's categories (model.categories()),"
              + " or leave the column out of the file";
    }
    return new IllegalArgumentException(
        cell(source, line, column, text) + " is not a finite number; " + advice);
  }

  /**
   * The error for a target cell that is not a finite number where one is needed (a regression's
   * target, or a missing value in any target).
   */
  public static IllegalArgumentException notAFiniteTarget(
      String source, long line, String column, String text) {
    String advice;
    if (TargetCells.isMissing(text)) {
      advice = "it is a missing value, and every row needs its target: drop the rows without one";
    } else if (TargetCells.isNumber(text)) {
      advice = "scale the target into double's range (about 1.8e308) or drop that row";
    } else {
      advice =
          "a regression's target needs a number in every row: fix or drop that row (a target of"
              + " class labels is read for a classifier, ProblemType.CLASSIFICATION)";
    }
    return new IllegalArgumentException(
        cell(source, line, column, text) + " is not a finite number; " + advice);
  }

  /**
   * For an error about a header of one field that holds another separator (a file separated by
   * semicolons, tabs or bars): what the file seems to be and what to do; empty otherwise.
   */
  public static String separatorHint(String[] header) {
    if (header.length != 1) {
      return "";
    }
    for (char c : new char[] {';', '\t', '|'}) {
      if (header[0].indexOf(c) >= 0) {
        String name = c == '\t' ? "tabs" : "'" + c + "'";
        return " (one column: the file seems to be separated by "
            + name
            + ", and memguard reads comma-separated values; convert it, or export it with commas)";
      }
    }
    return "";
  }

  /**
   * The error for input that is not UTF-8: where about (decoding runs ahead of the records, so the
   * bytes are somewhere after {@code afterLine}) and what to do.
   */
  public static IllegalArgumentException notUtf8(
      String source, long afterLine, java.nio.charset.CharacterCodingException cause) {
    IllegalArgumentException e =
        new IllegalArgumentException(
            source
                + " is not UTF-8 text: bytes after line "
                + afterLine
                + " cannot be decoded as UTF-8. Save the file as UTF-8 (files from Excel or older"
                + " systems are often Windows-1252 or Latin-1), or read it with a Reader of its"
                + " charset: Dataset.readCsv(Files.newBufferedReader(path, charset), ...) or"
                + " CsvSource.of(reader, ...)");
    e.initCause(cause);
    return e;
  }

  /** Where a cell is and what it holds, for an error: {@code data.csv line 3, column 'a': 'x'}. */
  public static String cell(String source, long line, String column, String text) {
    return source + " line " + line + ", column '" + column + "': '" + text + "'";
  }

  /**
   * A plain decimal of at most 18 significant digits, or NaN when {@code parseDouble} must decide.
   */
  private double fastNumber(int s, int e) {
    int i = s;
    boolean negative = false;
    if (i < e && (buf[i] == '-' || buf[i] == '+')) {
      negative = buf[i] == '-';
      i++;
    }
    // digits before the first non-zero one are not significant; the value overflows only when
    // there are more than 18 significant ones, and then parseDouble decides
    int first = i;
    while (i < e && buf[i] == '0') {
      i++;
    }
    long mantissa = 0;
    int significantStart = i;
    for (char d; i < e && (d = (char) (buf[i] - '0')) <= 9; i++) {
      mantissa = mantissa * 10 + d;
    }
    int digits = i - significantStart;
    boolean any = i > first;
    int scale = 0;
    if (i < e && buf[i] == '.') {
      i++;
      int fractionStart = i;
      if (mantissa == 0) {
        while (i < e && buf[i] == '0') {
          i++;
        }
      }
      int fractionSignificant = i;
      for (char d; i < e && (d = (char) (buf[i] - '0')) <= 9; i++) {
        mantissa = mantissa * 10 + d;
      }
      digits += i - fractionSignificant;
      scale = fractionStart - i;
      any |= i > fractionStart;
    }
    if (!any || digits > 18) {
      return Double.NaN;
    }
    if (i < e && (buf[i] == 'e' || buf[i] == 'E')) {
      i++;
      boolean negativeExponent = false;
      if (i < e && (buf[i] == '-' || buf[i] == '+')) {
        negativeExponent = buf[i] == '-';
        i++;
      }
      int exponent = 0;
      int exponentDigits = 0;
      while (i < e && buf[i] >= '0' && buf[i] <= '9') {
        if (++exponentDigits > 4) {
          return Double.NaN;
        }
        exponent = exponent * 10 + (buf[i] - '0');
        i++;
      }
      if (exponentDigits == 0) {
        return Double.NaN;
      }
      scale += negativeExponent ? -exponent : exponent;
    }
    if (i != e) {
      return Double.NaN;
    }
    long bits = DecimalToDouble.bits(mantissa, digits, scale);
    if (bits == DecimalToDouble.UNSURE) {
      return Double.NaN;
    }
    double v = Double.longBitsToDouble(bits);
    return negative ? -v : v;
  }

  /** Parses the record at nextStart, refilling the buffer when it runs out mid-record. */
  private boolean parseRecord() throws IOException {
    for (; ; ) {
      int r = tryParse();
      if (r > 0) {
        return true;
      }
      if (r == 0) {
        return false;
      }
      refill();
    }
  }

  /**
   * 1 when a record was parsed, 0 at the end of the input, -1 when the buffer ended inside the
   * record (before the end of the input).
   */
  private int tryParse() {
    int i = nextStart;
    if (!started) {
      if (i >= limit && !eof) {
        return -1;
      }
      started = true;
      if (i < limit && buf[i] == '\uFEFF') {
        i++;
        nextStart = i;
      }
    }
    if (i >= limit) {
      return eof ? 0 : -1;
    }
    int line = nextLine;
    int start = i;
    fieldCount = 0;
    for (; ; ) {
      while (i < limit && (buf[i] == ' ' || buf[i] == '\t')) {
        i++;
      }
      if (i >= limit && !eof) {
        return -1;
      }
      int fs;
      int fe;
      boolean quoted = i < limit && buf[i] == '"';
      if (quoted) {
        int opened = line;
        i++;
        fs = i;
        for (; ; ) {
          if (i >= limit) {
            if (!eof) {
              return -1;
            }
            throw new IllegalArgumentException(
                source
                    + " line "
                    + opened
                    + ": a quoted field is not closed before the end of the input");
          }
          char c = buf[i];
          if (c == '"') {
            if (i + 1 >= limit && !eof) {
              return -1;
            }
            if (i + 1 < limit && buf[i + 1] == '"') {
              i += 2;
              continue;
            }
            break;
          }
          if (c == '\n') {
            line++;
          } else if (c == '\r') {
            if (i + 1 >= limit && !eof) {
              return -1;
            }
            if (i + 1 >= limit || buf[i + 1] != '\n') {
              line++;
            }
          }
          i++;
        }
        fe = i;
        i++; // the closing quote
        while (i < limit && (buf[i] == ' ' || buf[i] == '\t')) {
          i++;
        }
        if (i >= limit && !eof) {
          return -1;
        }
        if (i < limit && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r') {
          throw new IllegalArgumentException(
              source
                  + " line "
                  + line
                  + ": text after a closing quote; a quote inside a quoted field is written \"\"");
        }
      } else {
        fs = i;
        while (i < limit && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r') {
          if (buf[i] == '"') {
            throw new IllegalArgumentException(
                source
                    + " line "
                    + line
                    + ": a quote inside an unquoted field; quote the whole field and double the quote");
          }
          i++;
        }
        if (i >= limit && !eof) {
          return -1;
        }
        fe = i;
        while (fe > fs && Character.isWhitespace(buf[fe - 1])) {
          fe--;
        }
        while (fs < fe && Character.isWhitespace(buf[fs])) {
          fs++;
        }
      }
      addField(fs, fe, quoted);
      if (i < limit && buf[i] == ',') {
        i++;
        continue;
      }
      int end = i;
      if (i < limit && buf[i] == '\r') {
        if (i + 1 >= limit && !eof) {
          return -1;
        }
        i++;
        if (i < limit && buf[i] == '\n') {
          i++;
        }
        line++;
      } else if (i < limit && buf[i] == '\n') {
        i++;
        line++;
      }
      recordStart = start;
      recordEnd = end;
      recordLine = nextLine;
      nextStart = i;
      nextLine = line;
      return 1;
    }
  }

  private void addField(int s, int e, boolean quoted) {
    if (fieldCount == fieldStart.length) {
      int n = fieldCount * 2;
      fieldStart = Arrays.copyOf(fieldStart, n);
      fieldEnd = Arrays.copyOf(fieldEnd, n);
      fieldQuoted = Arrays.copyOf(fieldQuoted, n);
    }
    fieldStart[fieldCount] = s;
    fieldEnd[fieldCount] = e;
    fieldQuoted[fieldCount] = quoted;
    fieldCount++;
  }

  /** Moves the unparsed tail to the front (growing the buffer if it is full) and reads more. */
  private void refill() throws IOException {
    int tail = limit - nextStart;
    if (nextStart == 0 && tail == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    } else if (nextStart > 0) {
      System.arraycopy(buf, nextStart, buf, 0, tail);
      nextStart = 0;
      limit = tail;
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
    } else {
      limit += n;
      charsRead += n;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
