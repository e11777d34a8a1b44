package io.memguard.autofeat;

import io.memguard.autofeat.internal.CategoryTable;
import io.memguard.autofeat.internal.CsvScanner;
import io.memguard.autofeat.internal.TargetCells;
import io.memguard.core.MemoryScope;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A CSV file read as a stream of row blocks, never whole: the input of streamed transforms and
 * predictions ({@link AutoFeatModel#transformCsv}, {@link AutoFeatModel#transform(CsvSource,
 * MemoryScope, FeatureBlockConsumer)}) and of fits on data larger than the heap ({@link
 * AutoFeatProcessor#fit(MemoryScope, CsvSource)}). The dialect is {@link Dataset#fromCsv}'s; a
 * feature value that is not a finite number, a missing target, or a record with the wrong number of
 * fields, is an {@link IllegalArgumentException} naming the file, line and column. The target
 * column is optional (a file to transform may have none); a classifier's may hold class labels.
 * Columns opened as categorical ({@link #open(Path, String, Categories)}) may hold any text and are
 * read as their categories' 0/1 columns.
 *
 * <p>What it holds: a text buffer of 64 Ki characters (128 KiB; larger only for a longer record), a
 * 256 KiB read buffer and, for {@link #next(int)}, the block it returns. Not thread-safe: one
 * reader at a time. Closing closes the file; closing twice is harmless.
 *
 * @since 0.1.0
 */
public final class CsvSource implements AutoCloseable {

  static final int BUFFER_CHARS = 64 << 10;

  /** The file is read this many bytes at a time (fewer system calls than the decoder's 8 KiB). */
  static final int IO_BUFFER_BYTES = 256 << 10;

  private final String source;
  private final @Nullable Path file;
  private final CsvScanner scanner;
  private final List<String> columns;
  private final List<String> names;
  private final @Nullable String targetName;
  private final int targetIndex;
  private final Categories categories;
  private final Map<String, CategoryTable> tables;
  private @Nullable Features allFeatures;
  private final String headerText;
  private final long fileBytes;
  private long rows;
  private boolean closed;

  /** The first allocation of a {@link #next(int)} block, in rows; it doubles as rows arrive. */
  private static final int INITIAL_BLOCK_ROWS = 4096;

  private CsvSource(
      Reader reader,
      @Nullable String target,
      Categories categories,
      String source,
      long fileBytes,
      @Nullable Path file) {
    this.source = source;
    this.categories = categories;
    this.file = file;
    this.fileBytes = fileBytes;
    this.scanner = new CsvScanner(reader, source, BUFFER_CHARS);
    try {
      if (!scanner.next()) {
        throw new IllegalArgumentException(source + " is empty; expected a header row");
      }
    } catch (java.nio.charset.CharacterCodingException e) {
      throw CsvScanner.notUtf8(source, 1, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
    }
    String[] header = scanner.fields();
    this.headerText =
        new String(
            scanner.buffer(), scanner.recordStart(), scanner.recordEnd() - scanner.recordStart());
    Set<String> seen = new HashSet<>();
    int t = -1;
    for (int j = 0; j < header.length; j++) {
      if (header[j].isBlank()) {
        throw new IllegalArgumentException(
            source + " column " + (j + 1) + " has a blank name; every column needs a name");
      }
      if (!seen.add(header[j])) {
        throw new IllegalArgumentException(
            source + " has two columns named '" + header[j] + "'; column names must be distinct");
      }
      if (header[j].equals(target)) {
        t = j;
      }
    }
    if (target != null && t < 0) {
      throw new IllegalArgumentException(
          source
              + " has no column '"
              + target
              + "'; its columns are "
              + Arrays.toString(header)
              + CsvScanner.separatorHint(header));
    }
    this.columns = List.of(header);
    categories.checkColumns(columns, target, source);
    this.names = List.copyOf(categories.featureNames(columns, target));
    Map<String, CategoryTable> byColumn = new HashMap<>();
    for (String column : categories.columns()) {
      byColumn.put(column, new CategoryTable(categories.categories(column)));
    }
    this.tables = Map.copyOf(byColumn);
    this.targetName = target;
    this.targetIndex = t;
  }

  /**
   * Opens {@code file} (UTF-8) and reads its header.
   *
   * @param target the target column, or null for a file without one
   * @throws IllegalArgumentException if the header is missing, has blank or repeated names, or
   *     lacks {@code target}
   * @throws UncheckedIOException if the file cannot be read
   */
  public static CsvSource open(Path file, @Nullable String target) {
    return open(file, target, Categories.none());
  }

  /**
   * Opens {@code file} as {@link #open(Path, String)} does, reading the columns of {@code
   * categories} as their categories' 0/1 columns ({@link #names()}); a cell that is none of its
   * column's categories is 0 in each. Fit on such a source, transform with a model's categories
   * ({@link AutoFeatModel#categories()}), or find a file's own with {@link Categories#scan}.
   *
   * @throws IllegalArgumentException also if a categorical column is missing or is the target, or a
   *     numeric column has the name of a category's 0/1 column
   */
  public static CsvSource open(Path file, @Nullable String target, Categories categories) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(categories, "categories");
    try {
      long size = Files.size(file);
      Reader reader =
          new java.io.InputStreamReader(
              new BufferedFileInput(Files.newInputStream(file), IO_BUFFER_BYTES),
              // reports bytes that are not UTF-8 rather than replacing them: a replaced category
              // or label would silently merge with another
              StandardCharsets.UTF_8.newDecoder());
      try {
        return new CsvSource(reader, target, categories, file.toString(), size, file);
      } catch (RuntimeException e) {
        reader.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens {@code file} as {@link #open} does and moves past its first {@code skipRows} data rows
   * (each checked for its width): a second pass over the rows a first one read after them.
   */
  static CsvSource openAfter(
      Path file, @Nullable String target, Categories categories, long skipRows) {
    CsvSource source = open(file, target, categories);
    try {
      for (long i = 0; i < skipRows; i++) {
        if (!source.advance()) {
          throw new IllegalStateException(
              file + " changed between the passes: it has fewer than " + skipRows + " rows now");
        }
      }
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
    return source;
  }

  /**
   * Reads CSV text from {@code reader} (closed with the source).
   *
   * @param source how to name the input in error messages
   */
  public static CsvSource of(Reader reader, @Nullable String target, String source) {
    return of(reader, target, Categories.none(), source);
  }

  /**
   * Reads CSV text from {@code reader} (closed with the source), its categorical columns read as
   * {@link #open(Path, String, Categories)} reads them.
   *
   * @param source how to name the input in error messages
   */
  public static CsvSource of(
      Reader reader, @Nullable String target, Categories categories, String source) {
    Objects.requireNonNull(reader, "reader");
    Objects.requireNonNull(categories, "categories");
    Objects.requireNonNull(source, "source");
    try {
      return new CsvSource(reader, target, categories, source, -1, null);
    } catch (RuntimeException e) {
      try {
        reader.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Every column of the header, in order. */
  public List<String> columns() {
    return columns;
  }

  /**
   * The feature columns: every column but the target and the categorical ones, in order, then the
   * categories' 0/1 columns ({@link Categories#encodedNames()}).
   */
  public List<String> names() {
    return names;
  }

  /**
   * The categorical columns and their categories; {@link Categories#none()} when there are none.
   */
  public Categories categories() {
    return categories;
  }

  /** The target column, or null. */
  public @Nullable String targetName() {
    return targetName;
  }

  /** The file's size in bytes, or -1 when read from a reader. */
  public long fileBytes() {
    return fileBytes;
  }

  /** Data rows read so far. */
  public long rowsRead() {
    return rows;
  }

  /**
   * Rows per block for {@link #next(int)} sized by the budget: a block's values (8 bytes per
   * feature and for the target, and 4 for its target's label code, per row) take at most a quarter
   * of what {@code scope} has available, between 64 and 1,048,576 rows. The block is the caller's
   * memory once returned: reserve it in the scope while it is held ({@link
   * Dataset#estimatedBytes()}).
   */
  public int blockRows(MemoryScope scope) {
    long perRow = 8L * (names.size() + 1) + 4;
    long rows = scope.availableBytes() / 4 / perRow;
    return (int) Math.max(64, Math.min(1 << 20, rows));
  }

  /**
   * The next block of at most {@code maxRows} rows as a data set of its own, or null at the end.
   * Its target is read as {@link Dataset#fromCsv} reads one: class labels when one of the block's
   * cells is text ({@link Dataset#targetLabels()}, the block's own).
   *
   * @throws IllegalStateException if the source has no target column (a {@link Dataset} needs one)
   */
  public @Nullable Dataset next(int maxRows) {
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
    }
    if (targetIndex < 0) {
      throw new IllegalStateException(
          source + " was opened without a target column; a Dataset block needs one");
    }
    // arrays grow as rows arrive: maxRows is a bound, not a size to allocate before reading
    int capacity = Math.min(maxRows, INITIAL_BLOCK_ROWS);
    double[][] x = new double[names.size()][capacity];
    double[] y = new double[capacity];
    int[] codes = new int[capacity];
    TargetCells cells = new TargetCells();
    Features features = allFeatures();
    int n = 0;
    while (n < maxRows && advance()) {
      if (n == capacity) {
        capacity = (int) Math.min(maxRows, 2L * capacity);
        for (int j = 0; j < x.length; j++) {
          x[j] = Arrays.copyOf(x[j], capacity);
        }
        y = Arrays.copyOf(y, capacity);
        codes = Arrays.copyOf(codes, capacity);
      }
      features.read(x, n);
      int j = targetIndex;
      if (cells.tracking()) {
        y[n] = cells.read(scanner.field(j), source, scanner.recordLine(), columns.get(j));
        codes[n] = cells.lastCode();
      } else {
        y[n] = scanner.targetNumber(j, columns.get(j));
      }
      n++;
    }
    if (n == 0) {
      return null;
    }
    if (n < capacity) {
      for (int j = 0; j < x.length; j++) {
        x[j] = Arrays.copyOf(x[j], n);
      }
      y = Arrays.copyOf(y, n);
    }
    List<String> labels = cells.recode(y, codes, n);
    return Dataset.validated(names, x, y, targetName, labels, categories);
  }

  /**
   * A reader of the features named {@code wanted} (names of {@link #names()}) from the current
   * record.
   *
   * @param reader who reads them, for the error naming a missing one ("the model")
   * @throws IllegalArgumentException if one of {@code wanted} is not a feature of this source
   */
  Features features(List<String> wanted, String reader) {
    return new Features(wanted, reader);
  }

  /** The reader of every feature, in the order of {@link #names()}; made once per source. */
  Features allFeatures() {
    if (allFeatures == null) {
      allFeatures = new Features(names, "a block");
    }
    return allFeatures;
  }

  /** Reads chosen features from the current record, each categorical cell looked up once. */
  final class Features {
    private final int[] field;
    private final int[] category;
    private final int[] slot;
    private final int[] slotField;
    private final CategoryTable[] slotTable;
    private final int[] codes;

    private Features(List<String> wanted, String reader) {
      int k = wanted.size();
      field = new int[k];
      category = new int[k];
      slot = new int[k];
      List<String> slotColumns = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        String name = wanted.get(i);
        Categories.Origin origin = categories.origin(name);
        if (origin == null) {
          field[i] = columns.indexOf(name);
          category[i] = -1;
          if (field[i] < 0 || categories.isCategorical(name)) {
            throw missing(name, reader);
          }
          continue;
        }
        int s = slotColumns.indexOf(origin.column());
        if (s < 0) {
          s = slotColumns.size();
          slotColumns.add(origin.column());
        }
        field[i] = columns.indexOf(origin.column());
        category[i] = origin.category();
        slot[i] = s;
      }
      slotField = slotColumns.stream().mapToInt(columns::indexOf).toArray();
      slotTable = slotColumns.stream().map(tables::get).toArray(CategoryTable[]::new);
      codes = new int[slotField.length];
    }

    private IllegalArgumentException missing(String name, String reader) {
      String hint = "";
      if (categories.isCategorical(name)) {
        hint = "; here it is a categorical column, read as its categories' 0/1 columns";
      } else if (name.startsWith("cat_")) {
        hint =
            "; if it is a category's 0/1 column, open the file with the categories the model was"
                + " fitted with: CsvSource.open(file, target, model.categories())";
      }
      return new IllegalArgumentException(
          reader
              + " reads column '"
              + name
              + "', which "
              + source
              + " does not have as a feature; its features are "
              + names
              + hint);
    }

    /** Reads the current record's features into row {@code row} of {@code dest} (one per name). */
    void read(double[][] dest, int row) {
      for (int s = 0; s < slotField.length; s++) {
        codes[s] = scanner.category(slotField[s], slotTable[s]);
      }
      for (int i = 0; i < field.length; i++) {
        int c = category[i];
        dest[i][row] =
            c < 0
                ? scanner.number(field[i], columns.get(field[i]))
                : (codes[slot[i]] == c ? 1.0 : 0.0);
      }
    }
  }

  /** Moves to the next data record and checks its width; false at the end. */
  boolean advance() {
    try {
      if (!scanner.next()) {
        return false;
      }
    } catch (java.nio.charset.CharacterCodingException e) {
      throw CsvScanner.notUtf8(source, Math.max(1, scanner.recordLine()), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
    }
    if (scanner.fieldCount() != columns.size()) {
      throw new IllegalArgumentException(
          source
              + " line "
              + scanner.recordLine()
              + " has "
              + scanner.fieldCount()
              + " fields, the header has "
              + columns.size());
    }
    rows++;
    return true;
  }

  /** The file, when opened from one (a second pass reopens it); null for a reader. */
  @Nullable Path file() {
    return file;
  }

  CsvScanner scanner() {
    return scanner;
  }

  String headerText() {
    return headerText;
  }

  int targetIndex() {
    return targetIndex;
  }

  /** Characters the text buffer holds now (its heap is twice this). */
  int bufferChars() {
    return scanner.bufferChars();
  }

  long charsRead() {
    return scanner.charsRead();
  }

  String sourceName() {
    return source;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      scanner.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + source + ": " + e.getMessage(), e);
    }
  }

  /**
   * A buffered file stream whose {@code available()} answers from its buffer while it holds bytes.
   * The UTF-8 decoder asks after every 8 KiB it decodes; a file channel's stream answers with two
   * system calls (size and position), 4% of a transform's time.
   */
  private static final class BufferedFileInput extends java.io.BufferedInputStream {
    BufferedFileInput(java.io.InputStream in, int size) {
      super(in, size);
    }

    @Override
    public synchronized int available() throws IOException {
      int buffered = buf == null ? 0 : count - pos; // closed: the superclass says so
      return buffered > 0 ? buffered : super.available();
    }
  }
}
