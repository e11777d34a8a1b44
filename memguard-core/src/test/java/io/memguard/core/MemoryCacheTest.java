package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryCacheTest {

  private static MemoryManager manager() {
    return MemoryManager.builder()
        .name("app")
        .limit(MemorySize.ofMebibytes(64))
        .leakDetection(LeakDetection.OFF)
        .noLiveHeapLimit()
        .build();
  }

  private static MemoryCache<Integer, double[]> columns(MemoryScope parent, MemorySize max) {
    return MemoryCache.<Integer, double[]>builder(parent, max, (k, v) -> 16 + 8L * v.length)
        .name("columns")
        .build();
  }

  @Test
  void theCachesWeight_isReservedInItsScope() {
    try (MemoryManager memory = manager();
        MemoryCache<Integer, double[]> cache =
            columns(memory.rootScope(), MemorySize.ofMebibytes(1))) {
      cache.put(1, new double[1000]);
      cache.put(2, new double[2000]);
      assertThat(cache.weightBytes()).isEqualTo(16 + 8000 + 16 + 16000);
      assertThat(cache.scope().path()).isEqualTo("app/columns");
      assertThat(cache.scope().reservedBytes()).isEqualTo(cache.weightBytes());
      assertThat(memory.reservedBytes()).isEqualTo(cache.weightBytes());

      cache.invalidate(1);
      assertThat(memory.reservedBytes()).isEqualTo(16 + 16000);
    }
  }

  @Test
  void readsCountHitsAndMisses_andALoadRunsOnlyOnAMiss() {
    try (MemoryManager memory = manager();
        MemoryCache<Integer, double[]> cache =
            columns(memory.rootScope(), MemorySize.ofMebibytes(1))) {
      List<Integer> loads = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        cache.get(
            7,
            k -> {
              loads.add(k);
              return new double[10];
            });
      }
      assertThat(cache.getIfPresent(8)).isNull();
      assertThat(loads).containsExactly(7);
      MemoryCacheStats s = cache.stats();
      assertThat(s.hits()).isEqualTo(2);
      assertThat(s.misses()).isEqualTo(2);
      assertThat(s.entries()).isEqualTo(1);
      assertThat(s.toString()).contains("hits=2 (50.0%)").contains("entries=1");
    }
  }

  @Test
  void beyondItsMaximum_itEvicts_andTheReservationFollows() {
    try (MemoryManager memory = manager();
        MemoryCache<Integer, double[]> cache =
            columns(memory.rootScope(), MemorySize.ofKibibytes(100))) {
      for (int i = 0; i < 50; i++) {
        cache.put(i, new double[1000]); // about 8 KiB each
      }
      MemoryCacheStats s = cache.stats();
      assertThat(s.weightBytes()).isLessThanOrEqualTo(100L << 10).isPositive();
      assertThat(s.evictions()).isPositive();
      assertThat(s.evictedBytes()).isEqualTo(s.evictions() * (16 + 8000));
      assertThat(memory.reservedBytes()).isEqualTo(s.weightBytes());
    }
  }

  @Test
  void whenTheBudgetAboveHasLessRoomThanTheMaximum_theCacheShrinksToIt() {
    try (MemoryManager memory = manager();
        MemoryScope pipeline = memory.openScope("pipeline", MemorySize.ofKibibytes(100));
        MemoryCache<Integer, double[]> cache = columns(pipeline, MemorySize.ofMebibytes(1));
        Reservation other = pipeline.reserve(40L << 10)) {
      for (int i = 0; i < 20; i++) {
        cache.put(i, new double[1000]);
      }
      assertThat(cache.weightBytes()).isLessThanOrEqualTo(60L << 10);
      assertThat(cache.scope().reservedBytes()).isEqualTo(cache.weightBytes());
      assertThat(pipeline.reservedBytes()).isLessThanOrEqualTo(100L << 10);
      assertThat(cache.maxBytes()).isEqualTo(1L << 20);
    }
  }

  @Test
  void theCachesCleanupStage_emptiesIt() {
    try (MemoryManager memory = manager();
        MemoryCache<Integer, double[]> cache =
            columns(memory.rootScope(), MemorySize.ofMebibytes(1))) {
      for (int i = 0; i < 10; i++) {
        cache.put(i, new double[1000]);
      }
      long weight = cache.weightBytes();

      CleanupReport report = memory.cleanup().runStage(CleanupStage.CACHES);

      assertThat(report.toString()).contains("memory cache 'columns'");
      assertThat(report.toString()).contains(Long.toString(weight));
      assertThat(cache.weightBytes()).isZero();
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @Test
  void closing_emptiesIt_releasesItsScope_andIsIdempotent() {
    MemoryManager memory = manager();
    MemoryCache<Integer, double[]> cache = columns(memory.rootScope(), MemorySize.ofMebibytes(1));
    cache.put(1, new double[100]);
    cache.close();
    cache.close();
    assertThat(cache.scope().isClosed()).isTrue();
    assertThat(memory.reservedBytes()).isZero();
    cache.put(2, new double[100]);
    assertThat(cache.getIfPresent(2)).isNull();
    assertThat(cache.get(3, k -> new double[1])).hasSize(1);
    memory.close();
  }

  @Test
  void whenAScopeAboveItCloses_itKeepsNothingItCannotReserve() {
    try (MemoryManager memory = manager()) {
      MemoryScope pipeline = memory.openScope("pipeline");
      MemoryCache<Integer, double[]> cache = columns(pipeline, MemorySize.ofMebibytes(1));
      cache.put(1, new double[100]);
      pipeline.close(); // the cache was not closed first

      cache.put(2, new double[1000]);
      cache.get(3, k -> new double[1000]);

      assertThat(cache.getIfPresent(1)).isNull();
      assertThat(cache.getIfPresent(2)).isNull();
      assertThat(cache.getIfPresent(3)).isNull();
      assertThat(cache.weightBytes()).isZero();
      assertThat(memory.reservedBytes()).isZero();
      cache.close();
      cache.close();
    }
  }

  @Test
  void aWriteTheBudgetRefuses_evictsInsteadOfThrowing() {
    try (MemoryManager memory = manager();
        MemoryScope pipeline = memory.openScope("pipeline", MemorySize.ofKibibytes(64));
        MemoryCache<Integer, double[]> cache = columns(pipeline, MemorySize.ofMebibytes(1))) {
      cache.put(1, new double[4000]); // about 32 KiB
      try (Reservation other = pipeline.reserve(24L << 10)) {
        cache.put(2, new double[4000]); // 64 KiB would not fit beside the other 24
        assertThat(cache.scope().reservedBytes()).isEqualTo(cache.weightBytes());
        assertThat(pipeline.reservedBytes()).isLessThanOrEqualTo(64L << 10);
        assertThat(cache.stats().evictions()).isPositive();
      }
    }
  }

  @Test
  void eightThreadsReadingAndWriting_leaveTheReservationEqualToTheWeight() throws Exception {
    try (MemoryManager memory = manager();
        MemoryCache<Integer, double[]> cache =
            columns(memory.rootScope(), MemorySize.ofKibibytes(512))) {
      ExecutorService executor = Executors.newFixedThreadPool(8);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        futures.add(
            executor.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(seed);
                  for (int i = 0; i < 20_000; i++) {
                    int key = random.nextInt(200);
                    switch (random.nextInt(3)) {
                      case 0 -> cache.put(key, new double[1 + random.nextInt(2000)]);
                      case 1 -> cache.get(key, k -> new double[1 + k * 5]);
                      default -> cache.invalidate(key);
                    }
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      executor.shutdown();
      cache.invalidate(-1); // one more write settles the reservation on the final weight
      assertThat(cache.weightBytes()).isLessThanOrEqualTo(512L << 10);
      assertThat(memory.reservedBytes()).isEqualTo(cache.weightBytes());
      assertThat(cache.stats().hits()).isPositive();
      assertThat(cache.stats().evictions()).isPositive();
    }
  }
}
