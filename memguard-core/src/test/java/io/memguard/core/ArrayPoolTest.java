package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ArrayPoolTest {

  private static MemoryManager manager(long budget) {
    return MemoryManager.builder()
        .name("app")
        .limit(MemorySize.ofBytes(budget))
        .leakDetection(LeakDetection.OFF)
        .noLiveHeapLimit()
        .build();
  }

  @Test
  void aBorrowIsReservedInTheBorrowersScope_andAKeptArrayInThePools() {
    try (MemoryManager memory = manager(64L << 20);
        ArrayPool pool = ArrayPool.builder(memory.rootScope()).name("arrays").build();
        MemoryScope task = memory.openScope("task")) {
      double[] a = pool.borrowDoubles(task, 1000);
      assertThat(a.length).isBetween(1000, 1125);
      long bytes = 16 + 8L * a.length;
      assertThat(task.reservedBytes()).isEqualTo(bytes);
      assertThat(pool.scope().reservedBytes()).isZero();

      pool.giveBack(a);
      assertThat(task.reservedBytes()).isZero();
      assertThat(pool.scope().reservedBytes()).isEqualTo(bytes);

      double[] again = pool.borrowDoubles(task, 1001);
      assertThat(again).isSameAs(a);
      assertThat(pool.scope().reservedBytes()).isZero();
      assertThat(task.reservedBytes()).isEqualTo(bytes);
      pool.giveBack(again);

      ArrayPoolStats s = pool.stats();
      assertThat(s.borrows()).isEqualTo(2);
      assertThat(s.hits()).isEqualTo(1);
      assertThat(s.misses()).isEqualTo(1);
      assertThat(s.returns()).isEqualTo(2);
      assertThat(s.retainedBytes()).isEqualTo(bytes);
      assertThat(s.outstandingBytes()).isZero();
      assertThat(s.toString()).contains("hits=1 (50.0%)").contains("retained=");
    }
  }

  @Test
  void eachKindHasItsOwnShelves() {
    try (MemoryManager memory = manager(64L << 20);
        ArrayPool pool = ArrayPool.builder(memory.rootScope()).build();
        MemoryScope task = memory.openScope("task")) {
      int[] ints = pool.borrowInts(task, 100);
      pool.giveBack(ints);
      float[] floats = pool.borrowFloats(task, 100);
      long[] longs = pool.borrowLongs(task, 100);
      assertThat(pool.borrowInts(task, 100)).isSameAs(ints);
      assertThat(pool.stats().hits()).isEqualTo(1);
      pool.giveBack(floats);
      pool.giveBack(longs);
    }
  }

  @Test
  void sizeClasses_coverEveryLength_withAtMostAnEighthToSpare() {
    SplittableRandom random = new SplittableRandom(7);
    List<Integer> lengths = new ArrayList<>(List.of(0, 1, 15, 16, 17, 18, 31, 32, 33, 1 << 20));
    lengths.add((1 << 30) - 1);
    for (int i = 0; i < 100_000; i++) {
      lengths.add(random.nextInt(1, 1 << (1 + random.nextInt(30))));
    }
    int previousClass = -1;
    int previousLength = -1;
    for (int n : lengths.stream().sorted().toList()) {
      int cls = ArrayPool.classIndex(n);
      int len = ArrayPool.classLength(cls);
      assertThat(len).as("class of %d", n).isGreaterThanOrEqualTo(n);
      assertThat(len).as("class of %d", n).isLessThanOrEqualTo(Math.max(16, n + n / 8 + 1));
      assertThat(cls).isGreaterThanOrEqualTo(previousClass);
      if (cls == previousClass) {
        assertThat(len).isEqualTo(previousLength);
      }
      previousClass = cls;
      previousLength = len;
    }
  }

  @Test
  void givingBackTwice_orAForeignArray_isAClearError() {
    try (MemoryManager memory = manager(64L << 20);
        ArrayPool pool = ArrayPool.builder(memory.rootScope()).name("arrays").build();
        MemoryScope task = memory.openScope("task")) {
      double[] a = pool.borrowDoubles(task, 64);
      pool.giveBack(a);
      assertThatThrownBy(() -> pool.giveBack(a))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("double[")
          .hasMessageContaining("'app/arrays'")
          .hasMessageContaining("given back already (the pool keeps it");
      assertThatThrownBy(() -> pool.giveBack(new double[64]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("this pool did not lend it");
      assertThat(pool.stats().returns()).isEqualTo(1);
    }
  }

  @Test
  void aScopeClosedWithBorrows_returnsTheirBytes_reportsALeak_andThePoolForgetsThem() {
    try (MemoryManager memory = manager(64L << 20);
        ArrayPool pool = ArrayPool.builder(memory.rootScope()).build()) {
      MemoryScope task = memory.openScope("task");
      double[] kept = pool.borrowDoubles(task, 4096);
      pool.borrowDoubles(task, 100); // dropped by its borrower
      long lent = pool.stats().outstandingBytes();
      ScopeCloseReport report = task.closeAndReport();

      assertThat(report.leak()).isNotNull();
      assertThat(report.leak().bytes()).isEqualTo(lent).isEqualTo(32_784 + 848);
      assertThat(pool.stats().forgotten()).isEqualTo(2);
      assertThat(pool.stats().outstandingBytes()).isZero();
      assertThat(memory.reservedBytes()).isZero();
      // the borrower may still hold it: the pool must not lend it again
      assertThatThrownBy(() -> pool.giveBack(kept)).isInstanceOf(IllegalArgumentException.class);
      try (MemoryScope next = memory.openScope("next")) {
        assertThat(pool.borrowDoubles(next, 4096)).isNotSameAs(kept);
      }
    }
  }

  @Test
  void atElevatedPressure_givenBackArraysAreDropped() {
    try (MemoryManager memory = manager(1L << 20);
        ArrayPool pool = ArrayPool.builder(memory.rootScope()).build();
        MemoryScope task = memory.openScope("task")) {
      double[] a = pool.borrowDoubles(task, 1000);
      try (Reservation big = memory.rootScope().reserve(900L << 10)) {
        assertThat(memory.pressureLevel()).isGreaterThanOrEqualTo(PressureLevel.ELEVATED);
        pool.giveBack(a);
      }
      assertThat(pool.stats().dropped()).isEqualTo(1);
      assertThat(pool.stats().retainedBytes()).isZero();
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @Test
  void thePoolsCleanupStage_releasesEveryKeptArray() {
    try (MemoryManager memory = manager(64L << 20);
        ArrayPool pool = ArrayPool.builder(memory.rootScope()).build();
        MemoryScope task = memory.openScope("task")) {
      List<double[]> arrays = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        arrays.add(pool.borrowDoubles(task, 10_000 * (i + 1)));
      }
      arrays.forEach(pool::giveBack);
      long kept = pool.stats().retainedBytes();
      assertThat(kept).isPositive().isEqualTo(memory.reservedBytes());

      CleanupReport report = memory.cleanup().runStage(CleanupStage.POOLS);

      assertThat(report.toString()).contains("array pool");
      assertThat(pool.stats().retainedBytes()).isZero();
      assertThat(pool.stats().trimmedBytes()).isEqualTo(kept);
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @Test
  void theCap_andTheLargestPooledArray_limitWhatIsKept() {
    try (MemoryManager memory = manager(64L << 20);
        ArrayPool pool =
            ArrayPool.builder(memory.rootScope())
                .maxRetained(MemorySize.ofKibibytes(100))
                .maxArrayBytes(MemorySize.ofKibibytes(64))
                .build();
        MemoryScope task = memory.openScope("task")) {
      double[] huge = pool.borrowDoubles(task, 100_000);
      assertThat(huge.length)
          .as("beyond the largest pooled array: exact length")
          .isEqualTo(100_000);
      pool.giveBack(huge);
      assertThat(pool.stats().dropped()).isEqualTo(1);

      List<double[]> arrays = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        arrays.add(pool.borrowDoubles(task, 6_000)); // about 48 KiB each
      }
      arrays.forEach(pool::giveBack);
      assertThat(pool.stats().retainedBytes()).isLessThanOrEqualTo(100L << 10);
      assertThat(pool.stats().dropped()).isEqualTo(1 + 2);
    }
  }

  @Test
  void aBorrowRefusedByTheBudget_firstReleasesWhatThePoolKeeps() {
    try (MemoryManager memory = manager(1L << 20);
        ArrayPool pool = ArrayPool.builder(memory.rootScope()).build();
        MemoryScope task = memory.openScope("task")) {
      pool.giveBack(pool.borrowDoubles(task, 40_000)); // about 320 KiB kept
      pool.giveBack(pool.borrowInts(task, 80_000)); // about 320 KiB kept
      assertThat(memory.reservedBytes()).isGreaterThan(600L << 10);

      float[] f = pool.borrowFloats(task, 150_000); // about 600 KiB: fits only without the kept

      assertThat(pool.stats().trimmedBytes()).isPositive();
      pool.giveBack(f);
      assertThatThrownBy(() -> pool.borrowDoubles(task, 200_000))
          .isInstanceOf(MemoryBudgetExceededException.class);
      assertThat(pool.stats().outstandingBytes()).isZero();
    }
  }

  @Test
  void aBorrowRefusedByTheBorrowersOwnLimit_leavesThePoolAsItIs() {
    try (MemoryManager memory = manager(64L << 20);
        ArrayPool pool = ArrayPool.builder(memory.rootScope()).build();
        MemoryScope task = memory.openScope("task", MemorySize.ofKibibytes(100))) {
      pool.giveBack(pool.borrowDoubles(task, 10_000)); // about 80 KiB kept in the pool's scope
      long kept = pool.stats().retainedBytes();

      assertThatThrownBy(() -> pool.borrowDoubles(task, 20_000)) // 160 KiB: over the task's 100
          .isInstanceOf(MemoryBudgetExceededException.class)
          .hasMessageContaining("app/task");

      assertThat(pool.stats().retainedBytes()).isEqualTo(kept).isPositive();
      assertThat(pool.stats().trimmedBytes()).isZero();
    }
  }

  @Test
  void closing_releasesEverything_isIdempotent_andLentArraysMayStillBeGivenBack() {
    MemoryManager memory = manager(64L << 20);
    MemoryScope task = memory.openScope("task");
    ArrayPool pool = ArrayPool.builder(memory.rootScope()).build();
    double[] out = pool.borrowDoubles(task, 500);
    pool.giveBack(pool.borrowDoubles(task, 800));

    pool.close();
    pool.close();

    assertThat(pool.scope().isClosed()).isTrue();
    assertThat(pool.stats().retainedBytes()).isZero();
    assertThatThrownBy(() -> pool.borrowDoubles(task, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    pool.giveBack(out);
    assertThat(memory.reservedBytes()).isZero();
    task.close();
    memory.close();
  }

  @Test
  void aDeadThreadsCache_isReleasedWhenTheNextThreadFirstUsesThePool() throws Exception {
    try (MemoryManager memory = manager(64L << 20);
        ArrayPool pool = ArrayPool.builder(memory.rootScope()).name("arrays").build();
        MemoryScope task = memory.openScope("task")) {
      Thread worker = new Thread(() -> pool.giveBack(pool.borrowDoubles(task, 100)));
      worker.start();
      worker.join();
      long kept = pool.stats().retainedBytes();
      assertThat(kept).as("the worker's cache keeps its array").isPositive();
      assertThat(pool.scope().reservedBytes()).isEqualTo(kept);

      long[] retainedWhileBorrowing = new long[1];
      Thread next =
          new Thread(
              () -> {
                int[] a = pool.borrowInts(task, 10);
                retainedWhileBorrowing[0] = pool.stats().retainedBytes();
                pool.giveBack(a);
              });
      next.start();
      next.join();

      assertThat(retainedWhileBorrowing[0]).as("the dead worker's array released").isZero();
      assertThat(pool.stats().trimmedBytes()).isEqualTo(kept);
      assertThat(pool.scope().reservedBytes()).isEqualTo(pool.stats().retainedBytes());
    }
  }

  @Test
  void eightThreadsBorrowingAndGivingBack_keepTheAccountingExact() throws Exception {
    int threads = 8;
    try (MemoryManager memory = manager(256L << 20);
        ArrayPool pool =
            ArrayPool.builder(memory.rootScope()).maxRetained(MemorySize.ofMebibytes(8)).build()) {
      ExecutorService executor = Executors.newFixedThreadPool(threads);
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        futures.add(
            executor.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(seed);
                  List<Object> held = new ArrayList<>();
                  try (MemoryScope task = memory.openScope("task-" + seed)) {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                      if (held.size() < 8 && random.nextBoolean()) {
                        int n = random.nextInt(1, 1 << (4 + random.nextInt(14)));
                        held.add(
                            switch (random.nextInt(4)) {
                              case 0 -> pool.borrowDoubles(task, n);
                              case 1 -> pool.borrowFloats(task, n);
                              case 2 -> pool.borrowInts(task, n);
                              default -> pool.borrowLongs(task, n);
                            });
                      } else if (!held.isEmpty()) {
                        giveBack(pool, held.remove(random.nextInt(held.size())));
                      }
                    }
                    held.forEach(a -> giveBack(pool, a));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      executor.shutdown();

      ArrayPoolStats s = pool.stats();
      assertThat(s.borrows()).isEqualTo(s.hits() + s.misses()).isEqualTo(s.returns());
      assertThat(s.hits()).isPositive();
      assertThat(s.outstandingBytes()).isZero();
      assertThat(s.forgotten()).isZero();
      assertThat(s.retainedBytes())
          .isEqualTo(pool.scope().reservedBytes())
          .isEqualTo(memory.reservedBytes())
          .isLessThanOrEqualTo(8L << 20);
      pool.trim();
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  private static void giveBack(ArrayPool pool, Object array) {
    if (array instanceof double[] d) {
      pool.giveBack(d);
    } else if (array instanceof float[] f) {
      pool.giveBack(f);
    } else if (array instanceof int[] i) {
      pool.giveBack(i);
    } else {
      pool.giveBack((long[]) array);
    }
  }
}
