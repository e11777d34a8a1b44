package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eight threads doing 100,000 random operations each on shared and private scopes, while a checker
 * thread watches that no scope ever exceeds its limit. Afterwards every scope's reserved bytes must
 * equal what its live reservations and open children hold, and all is zero after close.
 */
class ScopeConcurrencyTest {
  private static final int THREADS = 8;
  private static final int OPS = 100_000;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 42})
  void randomOperations_keepTheInvariants(long seed) throws Exception {
    MemoryManager memory =
        MemoryManager.builder()
            .limit(MemorySize.ofMebibytes(4))
            .leakDetection(LeakDetection.OFF)
            .build();
    List<MemoryScope> shared = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      shared.add(memory.openScope("shared-" + i, MemorySize.ofKibibytes(512 + 256 * i)));
    }
    Map<MemoryScope, Long> limits = new ConcurrentHashMap<>();
    shared.forEach(s -> limits.put(s, s.limitBytes()));
    limits.put(memory.rootScope(), memory.budgetBytes());

    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<String> violation = new AtomicReference<>();
    Thread checker =
        new Thread(
            () -> {
              while (!done.get()) {
                for (Map.Entry<MemoryScope, Long> e : limits.entrySet()) {
                  long reserved = e.getKey().reservedBytes();
                  if (reserved > e.getValue() || reserved < 0) {
                    violation.compareAndSet(null, e.getKey().path() + " held " + reserved);
                  }
                }
                Thread.yield();
              }
            });
    checker.start();

    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<Worker>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Worker w = new Worker(memory, shared, new SplittableRandom(seed * 1000 + t), limits);
      futures.add(
          pool.submit(
              () -> {
                start.await();
                w.run();
                return w;
              }));
    }
    List<Worker> workers = new ArrayList<>();
    for (Future<Worker> f : futures) {
      workers.add(f.get(2, TimeUnit.MINUTES));
    }
    done.set(true);
    checker.join();
    pool.shutdown();

    assertThat(violation.get()).as("a scope exceeded its limit").isNull();
    for (MemoryScope s : shared) {
      long live = 0;
      for (Worker w : workers) {
        live += w.liveBytesIn(s);
      }
      assertThat(s.reservedBytes()).as(s.path()).isEqualTo(live);
    }
    long total = workers.stream().mapToLong(Worker::liveBytes).sum();
    assertThat(memory.reservedBytes()).isEqualTo(total);
    assertThat(workers.stream().mapToLong(w -> w.ops).sum()).isEqualTo((long) THREADS * OPS);

    for (Worker w : workers) {
      w.releaseAll();
    }
    assertThat(memory.reservedBytes()).isZero();
    memory.close();
    assertThat(memory.reservedBytes()).isZero();
    assertThat(memory.openScopeCount()).isZero();
  }

  private static final class Worker {
    final MemoryManager memory;
    final List<MemoryScope> shared;
    final SplittableRandom random;
    final Map<MemoryScope, Long> limits;
    final List<Reservation> held = new ArrayList<>();
    MemoryScope ownChild;
    long ops;

    Worker(
        MemoryManager memory,
        List<MemoryScope> shared,
        SplittableRandom random,
        Map<MemoryScope, Long> limits) {
      this.memory = memory;
      this.shared = shared;
      this.random = random;
      this.limits = limits;
    }

    void run() {
      for (int i = 0; i < OPS; i++, ops++) {
        int op = random.nextInt(100);
        if (op < 40) {
          MemoryScope target = ownChild != null && random.nextBoolean() ? ownChild : pick();
          target.tryReserve(random.nextInt(1, 16 * 1024)).ifPresent(held::add);
        } else if (op < 75) {
          if (!held.isEmpty()) {
            held.remove(random.nextInt(held.size())).close();
          }
        } else if (op < 85) {
          if (!held.isEmpty()) {
            Reservation r = held.get(random.nextInt(held.size()));
            if (random.nextBoolean()) {
              try {
                r.grow(random.nextInt(1, 4096));
              } catch (MemoryBudgetExceededException | IllegalStateException expected) {
                // full, or its scope was closed: both leave the accounting unchanged
              }
            } else if (!r.isReleased() && r.bytes() > 0) {
              r.shrink(random.nextLong(r.bytes() + 1));
            }
          }
        } else if (op < 93) {
          if (ownChild == null) {
            MemoryScope parent = pick();
            ownChild =
                parent.openChild(
                    "w" + Thread.currentThread().getId() + "-" + i, MemorySize.ofKibibytes(64));
            limits.put(ownChild, ownChild.limitBytes());
          }
        } else if (ownChild != null) {
          // Close with whatever is still held in it: the close releases it as a leak.
          MemoryScope closing = ownChild;
          ownChild = null;
          limits.remove(closing);
          closing.close();
          held.removeIf(Reservation::isReleased);
        }
      }
      if (ownChild != null) {
        limits.remove(ownChild);
        ownChild.close();
        ownChild = null;
        held.removeIf(Reservation::isReleased);
      }
    }

    MemoryScope pick() {
      return shared.get(random.nextInt(shared.size()));
    }

    long liveBytesIn(MemoryScope scope) {
      return held.stream().filter(r -> r.scope() == scope).mapToLong(Reservation::bytes).sum();
    }

    long liveBytes() {
      return held.stream().mapToLong(Reservation::bytes).sum();
    }

    void releaseAll() {
      held.forEach(Reservation::close);
      held.clear();
    }
  }

  @org.junit.jupiter.api.Test
  void concurrentResizesOfOneReservation_eachLandWhole() throws Exception {
    try (MemoryManager memory =
            MemoryManager.builder()
                .limit(MemorySize.ofMebibytes(4))
                .leakDetection(LeakDetection.OFF)
                .noLiveHeapLimit()
                .build();
        MemoryScope scope = memory.openScope("shared");
        Reservation r = scope.reserve(50)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      CyclicBarrier start = new CyclicBarrier(4);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = t;
        done.add(
            pool.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(seed);
                  start.await();
                  for (int i = 0; i < 20_000; i++) {
                    r.resize(random.nextInt(0, 200)); // shrinks racing shrinks: never an error
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(r.bytes()).isBetween(0L, 199L);
      assertThat(scope.reservedBytes()).isEqualTo(r.bytes());
      assertThat(memory.reservedBytes()).isEqualTo(r.bytes());
    }
  }
}
