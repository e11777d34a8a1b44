package io.memguard.spark.internal;

import io.memguard.autofeat.FinalModelSums;
import io.memguard.core.Grant;
import io.memguard.core.Reservation;
import io.memguard.core.TaskRequest;
import io.memguard.spark.ExecutorMemory;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * The estimator's pass over all rows, on the executors: each partition's rows (numbered by their
 * position in the whole) read in blocks, the model's features computed per block and added to the
 * partition's {@link FinalModelSums}, which is all the partition returns. Each partition is a task
 * of the executor's allocator; the block is reserved in its grant.
 */
public final class PartitionSums
    implements FlatMapFunction<Iterator<Tuple2<Row, Long>>, FinalModelSums> {
  private static final long serialVersionUID = 1L;
  private static final int BLOCK = 4096;

  private final String modelText;
  private final FinalModelSums empty;
  private final int inputs;

  /**
   * @param modelText the searched model, saved
   * @param empty the sums to start each partition from (copied with the task)
   * @param inputs how many input columns lead each row; the target follows them
   */
  public PartitionSums(String modelText, FinalModelSums empty, int inputs) {
    this.modelText = modelText;
    this.empty = empty;
    this.inputs = inputs;
  }

  @Override
  public Iterator<FinalModelSums> call(Iterator<Tuple2<Row, Long>> rows) throws Exception {
    FinalModelSums sums = empty;
    if (!rows.hasNext()) {
      return List.of(sums).iterator();
    }
    TaskContext ctx = TaskContext.get();
    String name =
        ctx == null
            ? "autofeat-final-sums"
            : "autofeat-final-sums stage " + ctx.stageId() + " partition " + ctx.partitionId();
    try (Models.Use use = Models.use(modelText)) {
      int p = use.model().features().size();
      long bytes = 8L * BLOCK * (inputs + 1 + 2L * p + 1) + FinalModelSums.bytes(p);
      try (Grant grant =
              ExecutorMemory.manager()
                  .allocator()
                  .acquire(TaskRequest.named(name).minBytes(bytes).desiredBytes(bytes));
          Reservation block = grant.scope().reserve(bytes)) {
        double[][] x = new double[inputs][BLOCK];
        double[] y = new double[BLOCK];
        double[][] features = new double[p][BLOCK];
        long first = -1;
        int n = 0;
        while (rows.hasNext()) {
          Tuple2<Row, Long> t = rows.next();
          long position = t._2();
          if (n == BLOCK || (n > 0 && position != first + n)) {
            use.model().transformInto(x, n, features);
            sums.add(first, features, y, n);
            n = 0;
          }
          if (n == 0) {
            first = position;
            grant.cancellation().throwIfCancelled("between blocks of " + name);
          }
          Row r = t._1();
          for (int j = 0; j < inputs; j++) {
            x[j][n] = ((Number) r.get(j)).doubleValue();
          }
          y[n] = ((Number) r.get(inputs)).doubleValue();
          n++;
        }
        if (n > 0) {
          use.model().transformInto(x, n, features);
          sums.add(first, features, y, n);
        }
      }
    }
    return List.of(sums).iterator();
  }
}
