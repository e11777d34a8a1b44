package io.memguard.autofeat;

import java.util.Locale;

/**
 * What a streamed pass over a {@link CsvSource} did: rows, blocks, the working set it reserved, and
 * time. An immutable value.
 *
 * @param rows data rows read
 * @param blocks blocks of rows evaluated
 * @param blockRows rows per block (the last may be shorter)
 * @param workingSetBytes bytes reserved for the pass (blocks, text buffers, temporaries): constant
 *     whatever the number of rows
 * @param charsRead characters read from the input
 * @param nanos time the pass took
 * @since 0.1.0
 */
public record StreamReport(
    long rows, long blocks, int blockRows, long workingSetBytes, long charsRead, long nanos) {

  /** Seconds the pass took. */
  public double seconds() {
    return nanos / 1e9;
  }

  /** Rows per second, or 0 for an empty pass. */
  public double rowsPerSecond() {
    return nanos <= 0 ? 0 : rows / (nanos / 1e9);
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "StreamReport[%d rows in %d blocks of %d, working set %s, %.3f s, %.0f rows/s]",
        rows,
        blocks,
        blockRows,
        io.memguard.core.MemorySize.format(workingSetBytes),
        seconds(),
        rowsPerSecond());
  }
}
