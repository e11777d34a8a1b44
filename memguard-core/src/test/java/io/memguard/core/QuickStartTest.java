package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start without the monitor (core alone), with what it promises checked: the
 * batch's bytes are accounted while held, released at the end of the block, no leak reported. The
 * README's own snippet, monitor included, is run by memguard-monitor's {@code QuickStartTest}.
 */
class QuickStartTest {

  @Test
  void coreQuickStart_accountsWhileHeldAndLeavesNothingReserved() {
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    try (MemoryManager memory =
            MemoryManager.builder().limit(MemorySize.percentOfMaxHeap(50)).build();
        MemoryScope pipeline = memory.openScope("feature-pipeline", MemorySize.ofMebibytes(64))) {
      memory.addLeakListener(leaks::add);

      int rows = 10_000;
      try (MemoryScope batch = pipeline.openChild("batch-1");
          Reservation block = batch.reserve((long) rows * Double.BYTES)) {
        double[] column = new double[rows];
        assertThat(column).hasSize(rows);
        assertThat(memory.reservedBytes()).isEqualTo(80_000);
        assertThat(memory.snapshot().toTreeString()).contains("feature-pipeline", "batch-1");
      }

      assertThat(pipeline.peakReservedBytes()).isEqualTo(80_000);
      assertThat(memory.reservedBytes()).isZero();
    }
    assertThat(leaks).isEmpty();
  }
}
