package io.memguard.autofeat;

import io.memguard.autofeat.internal.CsvScanner;
import io.memguard.autofeat.internal.FittedAutoFeat;
import io.memguard.autofeat.internal.TargetCells;
import io.memguard.autofeat.internal.Utf8Output;
import io.memguard.autofeat.internal.batch.HeapBytes;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.ExprEvaluator;
import io.memguard.autofeat.internal.expr.Sym;
import io.memguard.autofeat.internal.linear.LinearModel;
import io.memguard.core.MemoryScope;
import io.memguard.core.Reservation;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A fitted model applied to a {@link CsvSource} block by block, with a working set reserved in a
 * scope and independent of the number of rows: the input columns and features of one block, the
 * block's raw text (for CSV output), the evaluation temporaries and the text buffers.
 */
final class ModelStreams {

  /** What a CSV output appends to each input record. */
  enum Output {
    FEATURES,
    PREDICTION
  }

  static final int MAX_BLOCK_ROWS = 8192;
  static final int MIN_BLOCK_ROWS = 64;

  /** The output file is written this many bytes at a time. */
  static final int WRITE_BUFFER_BYTES = 256 << 10;

  /** Characters per record assumed before any is read (the block's text grows as needed). */
  private static final int ASSUMED_RECORD_CHARS = 64;

  private ModelStreams() {}

  /** Bytes a pass with blocks of {@code rows} rows reserves at first. */
  static long workingSet(FittedAutoFeat fitted, int rows, int sourceBufferChars) {
    int p = fitted.features().size();
    long evaluation = 0;
    for (Expr e : fitted.features()) {
      evaluation = Math.max(evaluation, ExprEvaluator.workBytes(e, rows));
    }
    return HeapBytes.doubles(fitted.inputNames().size(), rows)
        + HeapBytes.doubles(p, rows)
        + HeapBytes.doubles(p)
        + evaluation
        + HeapBytes.ints(rows + 1)
        + 2L * ASSUMED_RECORD_CHARS * rows
        + 2L * sourceBufferChars
        + WRITE_BUFFER_BYTES
        + CsvSource.IO_BUFFER_BYTES
        + 4096;
  }

  /**
   * The largest power-of-two block (between {@value #MIN_BLOCK_ROWS} and {@value #MAX_BLOCK_ROWS}
   * rows) whose working set is at most a quarter of what the scope has available.
   */
  static int blockRows(FittedAutoFeat fitted, long available, int sourceBufferChars) {
    int rows = MAX_BLOCK_ROWS;
    while (rows > MIN_BLOCK_ROWS && workingSet(fitted, rows, sourceBufferChars) > available / 4) {
      rows /= 2;
    }
    return rows;
  }

  static StreamReport toCsv(
      FittedAutoFeat fitted,
      List<String> classLabels,
      CsvSource source,
      Utf8Output out,
      MemoryScope scope,
      Output mode,
      int blockRows)
      throws IOException {
    out.write(source.headerText());
    // a feature that is an input column as it is already stands in the record: written again, its
    // name would repeat a column's and the file could not be read back
    List<Expr> all = fitted.features();
    List<String> names = fitted.featureNames();
    int[] featureColumns =
        java.util.stream.IntStream.range(0, all.size())
            .filter(k -> !(all.get(k) instanceof Sym))
            .toArray();
    if (mode == Output.PREDICTION) {
      out.write(",prediction");
    } else {
      for (int k : featureColumns) {
        out.writeAscii(',');
        out.write(quoted(names.get(k)));
      }
    }
    out.writeAscii('\n');
    LinearModel model = fitted.model();
    double[] classes = model.classes();
    String[] quotedLabels = classLabels.stream().map(ModelStreams::quoted).toArray(String[]::new);
    return run(
        fitted,
        source,
        scope,
        (rows, block) -> {
          double[][] f = block.features;
          double[] row = block.row;
          for (int i = 0; i < rows; i++) {
            out.write(block.text, block.offsets[i], block.offsets[i + 1] - block.offsets[i]);
            if (mode == Output.PREDICTION) {
              for (int k = 0; k < f.length; k++) {
                row[k] = f[k][i];
              }
              out.writeAscii(',');
              double v = model.predict(row);
              if (quotedLabels.length == 0) {
                write(out, v);
              } else {
                int at = Arrays.binarySearch(classes, v);
                if (at >= 0) {
                  out.write(quotedLabels[at]); // a missing prediction: an empty field
                }
              }
            } else {
              for (int k : featureColumns) {
                out.writeAscii(',');
                write(out, f[k][i]);
              }
            }
            out.writeAscii('\n');
          }
        },
        true,
        false,
        null,
        0,
        blockRows);
  }

  static StreamReport toConsumer(
      FittedAutoFeat fitted, CsvSource source, MemoryScope scope, FeatureBlockConsumer consumer)
      throws IOException {
    return run(
        fitted,
        source,
        scope,
        (rows, block) -> consumer.accept(rows, block.inputs, block.features),
        false,
        false,
        null,
        0,
        0);
  }

  private static void write(Utf8Output out, double v) throws IOException {
    if (!Double.isNaN(v)) {
      out.write(v); // NaN: an empty field, the value is missing
    }
  }

  /** A field as CSV writes it: quoted when it holds what an unquoted field cannot keep. */
  private static String quoted(String name) {
    boolean padded =
        !name.isEmpty()
            && (Character.isWhitespace(name.charAt(0))
                || Character.isWhitespace(name.charAt(name.length() - 1)));
    if (!padded
        && !name.isEmpty()
        && name.indexOf(',') < 0
        && name.indexOf('"') < 0
        && name.indexOf('\n') < 0
        && name.indexOf('\r') < 0) {
      return name;
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** One block's arrays, reused from block to block. */
  private static final class Block {
    final double[][] inputs;
    final double[][] features;
    final double[] row;
    final int[] offsets;
    final double[] target;
    char[] text;

    Block(int inputs, int features, int rows, boolean target) {
      this.target = target ? new double[rows] : null;
      this.inputs = new double[inputs][rows];
      this.features = new double[features][rows];
      this.row = new double[features];
      this.offsets = new int[rows + 1];
      this.text = new char[ASSUMED_RECORD_CHARS * rows];
    }
  }

  @FunctionalInterface
  private interface BlockSink {
    void accept(int rows, Block block) throws IOException;
  }

  /** Receives each block's features and target (arrays reused from block to block). */
  @FunctionalInterface
  interface TargetBlockSink {
    void accept(int rows, double[][] features, double[] target) throws IOException;
  }

  /**
   * Streams {@code source}'s remaining rows through the features with their target; {@code
   * extraBytes} (the sink's own arrays) are reserved with the working set. With {@code labelCodes},
   * the target is class labels, each given as its code there (-1 for a label not in it).
   */
  static StreamReport withTarget(
      FittedAutoFeat fitted,
      CsvSource source,
      MemoryScope scope,
      long extraBytes,
      @Nullable Map<String, Integer> labelCodes,
      TargetBlockSink sink)
      throws IOException {
    if (source.targetIndex() < 0) {
      throw new IllegalArgumentException(source.sourceName() + " has no target column");
    }
    return run(
        fitted,
        source,
        scope,
        (rows, block) -> sink.accept(rows, block.features, block.target),
        false,
        true,
        labelCodes,
        extraBytes,
        0);
  }

  private static StreamReport run(
      FittedAutoFeat fitted,
      CsvSource source,
      MemoryScope scope,
      BlockSink sink,
      boolean keepText,
      boolean withTarget,
      @Nullable Map<String, Integer> labelCodes,
      long extraBytes,
      int fixedBlockRows)
      throws IOException {
    long start = System.nanoTime();
    List<String> inputs = fitted.inputNames();
    CsvSource.Features reader = source.features(inputs, "the model");
    int blockRows =
        fixedBlockRows > 0
            ? fixedBlockRows
            : blockRows(fitted, scope.availableBytes() - extraBytes, source.bufferChars());
    long workingSet =
        workingSet(fitted, blockRows, source.bufferChars())
            + extraBytes
            + (withTarget ? HeapBytes.doubles(blockRows) : 0);
    List<Expr> features = fitted.features();
    long rowsBefore = source.rowsRead();
    long blocks = 0;
    try (Reservation reserved = scope.reserve(workingSet)) {
      Block block = new Block(inputs.size(), features.size(), blockRows, withTarget);
      ExprEvaluator.Work work = new ExprEvaluator.Work();
      int targetField = source.targetIndex();
      String targetName = source.targetName();
      CsvScanner scanner = source.scanner();
      for (; ; ) {
        int rows = 0;
        int textEnd = 0;
        while (rows < blockRows && source.advance()) {
          reader.read(block.inputs, rows);
          if (labelCodes != null) {
            String label = scanner.field(targetField);
            if (TargetCells.isMissing(label)) {
              throw CsvScanner.notAFiniteTarget(
                  source.sourceName(), scanner.recordLine(), targetName, label);
            }
            // a label the first pass did not read (the file changed) is no class: never predicted
            block.target[rows] = labelCodes.getOrDefault(label, -1);
          } else if (withTarget) {
            block.target[rows] = scanner.targetNumber(targetField, targetName);
          }
          if (keepText) {
            int len = scanner.recordEnd() - scanner.recordStart();
            if (textEnd + len > block.text.length) {
              int grown = Math.max(block.text.length * 2, textEnd + len);
              reserved.grow(2L * (grown - block.text.length));
              block.text = Arrays.copyOf(block.text, grown);
            }
            System.arraycopy(scanner.buffer(), scanner.recordStart(), block.text, textEnd, len);
            block.offsets[rows] = textEnd;
            textEnd += len;
            block.offsets[rows + 1] = textEnd;
          }
          rows++;
        }
        if (rows == 0) {
          break;
        }
        for (int k = 0; k < features.size(); k++) {
          double[] f = block.features[k];
          ExprEvaluator.evaluateRange(features.get(k), block.inputs, 0, rows, f, 0, work);
          for (int i = 0; i < rows; i++) {
            if (Double.isInfinite(f[i])) {
              f[i] = Double.NaN;
            }
          }
        }
        sink.accept(rows, block);
        blocks++;
        if (rows < blockRows) {
          break;
        }
      }
      return new StreamReport(
          source.rowsRead() - rowsBefore,
          blocks,
          blockRows,
          reserved.bytes(),
          source.charsRead(),
          System.nanoTime() - start);
    }
  }
}
