package io.memguard.spark.internal;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.core.BatchDecision;
import io.memguard.core.Grant;
import io.memguard.core.MemoryManager;
import io.memguard.core.Reservation;
import io.memguard.core.TaskRequest;
import io.memguard.spark.ExecutorMemory;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The partition path of the transformer: each partition's rows are read in blocks into column
 * arrays, the model's features computed for the block ({@link AutoFeatModel#transformInto}) and
 * appended to the rows. Each partition is a task of this executor's allocator ({@link
 * ExecutorMemory}): its grant sizes the blocks ({@link Grant#batchSize}), the block's arrays and
 * the rows it holds are reserved in the grant's scope, and the grant is closed when the partition
 * ends (or the Spark task does, whichever comes first).
 */
public final class PartitionTransform implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  /** Rows per block: at least this many (the grant's minimum), at most {@link #MAX_ROWS}. */
  static final int MIN_ROWS = 256;

  static final int MAX_ROWS = 65_536;

  private final String modelText;
  private final int[] inputIndex;
  private final int[] emitted;
  private final int width;

  /**
   * @param modelText the model, saved
   * @param inputIndex the row position of each model input, in the model's input order
   * @param emitted the features appended, by their index in the model
   * @param width the input rows' field count
   */
  public PartitionTransform(String modelText, int[] inputIndex, int[] emitted, int width) {
    this.modelText = modelText;
    this.inputIndex = inputIndex.clone();
    this.emitted = emitted.clone();
    this.width = width;
  }

  /** Heap bytes per row of a block: the column arrays and the input row it holds (an estimate). */
  long bytesPerRow(int features) {
    return 8L * (inputIndex.length + features) + 64 + 48L * width;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) throws InterruptedException {
    if (!rows.hasNext()) {
      return Collections.emptyIterator();
    }
    TaskContext ctx = TaskContext.get();
    String name =
        ctx == null
            ? "autofeat-transform"
            : "autofeat-transform stage " + ctx.stageId() + " partition " + ctx.partitionId();
    Models.Use use = Models.use(modelText);
    Blocks blocks;
    try {
      int features = use.model().features().size();
      long perRow = bytesPerRow(features);
      MemoryManager memory = ExecutorMemory.manager();
      Grant grant =
          memory
              .allocator()
              .acquire(
                  TaskRequest.named(name)
                      .minBytes(perRow * MIN_ROWS)
                      .desiredBytes(perRow * MAX_ROWS));
      blocks = new Blocks(rows, use, grant, perRow, features);
    } catch (InterruptedException | RuntimeException | Error e) {
      use.close();
      throw e;
    }
    if (ctx != null) {
      ctx.addTaskCompletionListener((TaskCompletionListener) c -> blocks.close());
    }
    return blocks;
  }

  private final class Blocks implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final Models.Use use;
    private final Grant grant;
    private final long perRow;
    private final int features;
    private Reservation reserved;
    private double[][] in;
    private double[][] out;
    private Row[] held;
    private int n;
    private int pos;
    private boolean closed;

    Blocks(Iterator<Row> rows, Models.Use use, Grant grant, long perRow, int features) {
      this.rows = rows;
      this.use = use;
      this.grant = grant;
      this.perRow = perRow;
      this.features = features;
    }

    @Override
    public boolean hasNext() {
      if (pos < n) {
        return true;
      }
      if (!closed && rows.hasNext()) {
        fill();
        return true;
      }
      close();
      return false;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row r = held[pos];
      held[pos] = null;
      Object[] values = new Object[width + emitted.length];
      for (int c = 0; c < width; c++) {
        values[c] = r.get(c);
      }
      for (int k = 0; k < emitted.length; k++) {
        values[width + k] = out[emitted[k]][pos];
      }
      pos++;
      return RowFactory.create(values);
    }

    private void fill() {
      grant.cancellation().throwIfCancelled("between blocks of " + grant.taskName());
      BatchDecision d = grant.batchSize(perRow, MIN_ROWS, MAX_ROWS);
      int size = d.batchSize();
      if (held == null || held.length != size) {
        if (reserved == null) {
          reserved = grant.scope().reserve(size * perRow);
        } else {
          reserved.resize(size * perRow);
        }
        in = new double[inputIndex.length][size];
        out = new double[features][size];
        held = new Row[size];
      }
      int count = 0;
      while (count < size && rows.hasNext()) {
        Row r = rows.next();
        held[count] = r;
        for (int j = 0; j < inputIndex.length; j++) {
          Object v = r.get(inputIndex[j]);
          in[j][count] = v == null ? Double.NaN : ((Number) v).doubleValue();
        }
        count++;
      }
      use.model().transformInto(in, count, out);
      n = count;
      pos = 0;
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      in = null;
      out = null;
      held = null;
      n = 0;
      pos = 0;
      try {
        if (reserved != null) {
          reserved.close();
        }
        grant.close();
      } finally {
        use.close();
      }
    }
  }
}
