package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResourceAllocatorTest {
  private static final long MIB = 1 << 20;
  private final MemoryManager memory =
      MemoryManager.builder().limit(MemorySize.ofMebibytes(100)).build();
  private final ResourceAllocator allocator = memory.allocator();
  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
    memory.close();
  }

  @Test
  void aloneTask_getsWhatItDesires_andItsScopeIsLimitedToTheGrant() throws Exception {
    try (Grant g =
        allocator.acquire(TaskRequest.named("solo").minBytes(10 * MIB).desiredBytes(60 * MIB))) {
      assertThat(g.grantedBytes()).isEqualTo(60 * MIB);
      assertThat(g.scope().path()).isEqualTo("root/solo");
      assertThat(g.scope().limitBytes()).isEqualTo(60 * MIB);
      assertThatThrownBy(() -> g.scope().reserve(61 * MIB))
          .isInstanceOf(MemoryBudgetExceededException.class);
      assertThat(allocator.grantedBytes()).isEqualTo(60 * MIB);
    }
    assertThat(allocator.grantedBytes()).isZero();
    assertThat(memory.openScopeCount()).isEqualTo(1);
  }

  @Test
  void secondTask_getsAtMostTheFairShareOfWhatIsFree() throws Exception {
    Grant a = allocator.acquire(TaskRequest.named("a").minBytes(10 * MIB).desiredBytes(40 * MIB));
    Grant b = allocator.acquire(TaskRequest.named("b").minBytes(10 * MIB).desiredBytes(90 * MIB));
    assertThat(a.grantedBytes()).isEqualTo(40 * MIB);
    assertThat(b.grantedBytes()).isEqualTo(50 * MIB); // fair share of 100 MiB between two
    a.close();
    b.close();
  }

  @Test
  void minimumIsAlwaysHonoured_evenAboveTheFairShare() throws Exception {
    Grant a = allocator.acquire(TaskRequest.named("a").minBytes(10 * MIB).desiredBytes(30 * MIB));
    Grant b = allocator.acquire(TaskRequest.named("b").minBytes(70 * MIB).desiredBytes(70 * MIB));
    assertThat(b.grantedBytes()).isEqualTo(70 * MIB);
    a.close();
    b.close();
  }

  @Test
  void acquire_timesOutWithTheNumbers() throws Exception {
    Grant hog = allocator.acquire(TaskRequest.named("hog").minBytes(95 * MIB));
    assertThatThrownBy(
            () ->
                allocator.acquire(
                    TaskRequest.named("late").minBytes(10 * MIB).timeout(Duration.ofMillis(30))))
        .isInstanceOfSatisfying(
            AdmissionTimeoutException.class,
            e -> {
              assertThat(e.taskName()).isEqualTo("late");
              assertThat(e.freeBytes()).isEqualTo(5 * MIB);
              assertThat(e.minBytes()).isEqualTo(10 * MIB);
              assertThat(e.capacityBytes()).isEqualTo(100 * MIB);
              assertThat(e.activeTasks()).isEqualTo(1);
              assertThat(e.waitingAhead()).isZero();
              assertThat(e.pausedReason()).isEmpty();
              assertThat(e).hasMessageContaining("1 task(s) hold grants");
            });
    assertThat(allocator.waitingCount()).isZero();
    hog.close();
  }

  @Test
  void acquire_aMinimumAboveCapacity_failsAtOnce() {
    assertThatThrownBy(() -> allocator.acquire(TaskRequest.named("huge").minBytes(101 * MIB)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("huge");
  }

  @Test
  void tryAcquire_neverWaits() throws Exception {
    Grant hog = allocator.acquire(TaskRequest.named("hog").minBytes(95 * MIB));
    try (Grant none = allocator.tryAcquire(TaskRequest.named("t").minBytes(10 * MIB))) {
      assertThat(none).isNull();
    }
    hog.close();
    try (Grant g = allocator.tryAcquire(TaskRequest.named("t").minBytes(10 * MIB))) {
      assertThat(g).isNotNull();
      assertThat(allocator.grantedBytes()).isEqualTo(10 * MIB);
    }
    assertThat(allocator.grantedBytes()).isZero();
  }

  @Test
  void waiters_areWokenOnRelease_inPriorityOrder() throws Exception {
    Grant hog = allocator.acquire(TaskRequest.named("hog").minBytes(100 * MIB));
    List<String> admitted = new CopyOnWriteArrayList<>();
    List<Future<Grant>> futures = new ArrayList<>();
    for (int p : new int[] {1, 5, 3}) {
      futures.add(
          executor.submit(
              () -> {
                Grant g =
                    allocator.acquire(
                        TaskRequest.named("p" + p)
                            .priority(p)
                            .minBytes(60 * MIB)
                            .timeout(Duration.ofSeconds(30)));
                admitted.add(g.taskName());
                return g;
              }));
      awaitWaiting(futures.size());
    }
    hog.close();
    // Only one 60 MiB task fits at a time: each close admits the next by priority.
    for (int i = 0; i < 3; i++) {
      Grant g = awaitAnyDone(futures);
      g.close();
    }
    assertThat(admitted).containsExactly("p5", "p3", "p1");
  }

  @Test
  void pause_holdsBackLowPriority_andResumeAdmitsItAgain() throws Exception {
    allocator.pause(5, "emergency");
    assertThat(allocator.isPaused()).isTrue();
    Grant urgent = allocator.acquire(TaskRequest.named("urgent").priority(9).minBytes(MIB));
    CompletableFuture<Grant> low =
        CompletableFuture.supplyAsync(
            () ->
                acquireQuietly(
                    TaskRequest.named("low")
                        .priority(1)
                        .minBytes(MIB)
                        .timeout(Duration.ofSeconds(30))),
            executor);
    awaitWaiting(1);
    assertThat(low).isNotDone();
    assertThatThrownBy(
            () ->
                allocator.acquire(
                    TaskRequest.named("other").priority(1).minBytes(MIB).timeout(Duration.ZERO)))
        .isInstanceOfSatisfying(
            AdmissionTimeoutException.class,
            e -> assertThat(e.pausedReason()).contains("emergency"))
        .hasMessageContaining("paused (emergency)");
    allocator.resume();
    Grant g = low.get(30, TimeUnit.SECONDS);
    assertThat(g.taskName()).isEqualTo("low");
    g.close();
    urgent.close();
  }

  @Test
  void heldPauses_eachEndOnlyTheirOwn_andAdmissionStaysPausedBelowTheHighest() throws Exception {
    Registration guardA = allocator.holdPause(5, "guard A");
    Registration guardB = allocator.holdPause(3, "guard B");
    allocator.pause(2, "maintenance");
    guardA.close();
    allocator.resume(); // ends the manual pause only
    assertThat(allocator.isPaused()).as("guard B still holds its pause").isTrue();
    assertThatThrownBy(
            () ->
                allocator.acquire(
                    TaskRequest.named("low").priority(2).minBytes(MIB).timeout(Duration.ZERO)))
        .isInstanceOfSatisfying(
            AdmissionTimeoutException.class, e -> assertThat(e.pausedReason()).contains("guard B"));
    allocator.acquire(TaskRequest.named("mid").priority(4).minBytes(MIB)).close();
    guardA.close(); // a second close ends nothing of guard B's
    assertThat(allocator.isPaused()).isTrue();
    guardB.close();
    assertThat(allocator.isPaused()).isFalse();
    allocator.acquire(TaskRequest.named("low").priority(2).minBytes(MIB)).close();
  }

  @Test
  void rebalance_shrinksToTheFairShareWhileOthersWait_andGrowsWhenAlone() throws Exception {
    Grant big =
        allocator.acquire(TaskRequest.named("big").minBytes(10 * MIB).desiredBytes(100 * MIB));
    assertThat(big.grantedBytes()).isEqualTo(100 * MIB);
    CompletableFuture<Grant> other =
        CompletableFuture.supplyAsync(
            () ->
                acquireQuietly(
                    TaskRequest.named("other")
                        .minBytes(20 * MIB)
                        .desiredBytes(50 * MIB)
                        .timeout(Duration.ofSeconds(30))),
            executor);
    awaitWaiting(1);
    Reservation inUse = big.scope().reserve(30 * MIB);
    assertThat(big.rebalance()).isEqualTo(50 * MIB); // fair share of two
    Grant o = other.get(30, TimeUnit.SECONDS);
    assertThat(o.grantedBytes()).isEqualTo(50 * MIB);
    o.close();
    assertThat(big.rebalance()).isEqualTo(100 * MIB);
    inUse.close();
    big.close();
  }

  @Test
  void batchSize_rebalancesFirst_soBatchingThroughTheGrantSharesFairly() throws Exception {
    Grant big =
        allocator.acquire(TaskRequest.named("big").minBytes(10 * MIB).desiredBytes(100 * MIB));
    CompletableFuture<Grant> other =
        CompletableFuture.supplyAsync(
            () ->
                acquireQuietly(
                    TaskRequest.named("other").minBytes(40 * MIB).timeout(Duration.ofSeconds(30))),
            executor);
    awaitWaiting(1);
    BatchDecision d = big.batchSize(MIB, 1, 1000);
    assertThat(big.grantedBytes()).isEqualTo(50 * MIB);
    assertThat(d.batchSize()).isEqualTo(40); // 50 MiB less the 20% margin
    Grant o = other.get(30, TimeUnit.SECONDS);
    o.close();
    big.batchSize(MIB, 1, 1000);
    assertThat(big.grantedBytes()).isEqualTo(100 * MIB);
    big.close();
  }

  @Test
  void rebalance_neverShrinksBelowWhatTheTaskHolds() throws Exception {
    Grant big =
        allocator.acquire(TaskRequest.named("big").minBytes(10 * MIB).desiredBytes(100 * MIB));
    Reservation inUse = big.scope().reserve(80 * MIB);
    CompletableFuture<Grant> other =
        CompletableFuture.supplyAsync(
            () ->
                acquireQuietly(
                    TaskRequest.named("other").minBytes(30 * MIB).timeout(Duration.ofSeconds(30))),
            executor);
    awaitWaiting(1);
    assertThat(big.rebalance()).isEqualTo(80 * MIB);
    inUse.close();
    assertThat(big.rebalance()).isEqualTo(50 * MIB);
    other.get(30, TimeUnit.SECONDS).close();
    big.close();
  }

  /**
   * Four tasks compete for a pool that holds two at a time. Each works in batches, calling
   * rebalance between batches. None may starve, and none may hold more than the fair share at a
   * batch boundary while others wait.
   */
  @Test
  void fourCompetingTasks_noneStarves_noneExceedsItsFairShareWhileOthersWait() throws Exception {
    int tasks = 4;
    int batches = 50;
    ConcurrentHashMap<String, Integer> completed = new ConcurrentHashMap<>();
    AtomicReference<String> violation = new AtomicReference<>();
    CountDownLatch allStarted = new CountDownLatch(tasks);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      String name = "task-" + t;
      futures.add(
          executor.submit(
              () -> {
                allStarted.countDown();
                allStarted.await();
                for (int round = 0; round < 5; round++) {
                  try (Grant g =
                      allocator.acquire(
                          TaskRequest.named(name)
                              .priority(0)
                              .minBytes(20 * MIB)
                              .desiredBytes(60 * MIB)
                              .timeout(Duration.ofSeconds(60)))) {
                    for (int b = 0; b < batches; b++) {
                      ResourceAllocator.Rebalance r = g.rebalanceDetailed();
                      if (r.waiting() > 0
                          && r.grantedBytes() > Math.max(r.fairShareBytes(), 20 * MIB)) {
                        violation.compareAndSet(null, name + " kept " + r);
                      }
                      BatchDecision d = g.batchSize(MIB, 1, 64);
                      try (Reservation batch = g.scope().reserve(d.batchSize() * MIB)) {
                        Thread.yield();
                      }
                    }
                  }
                  completed.merge(name, 1, Integer::sum);
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get(2, TimeUnit.MINUTES);
    }
    assertThat(violation.get()).isNull();
    assertThat(completed).hasSize(tasks).allSatisfy((k, v) -> assertThat(v).isEqualTo(5));
    assertThat(allocator.grantedBytes()).isZero();
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void sizeBatch_picksTheLargestBatchThatFitsWithTheMargin() {
    BatchDecision d = allocator.sizeBatch("fit", 100 * MIB, MIB, 1, 1000);
    assertThat(d.batchSize()).isEqualTo(80); // 20% margin
    assertThat(d.fits()).isTrue();
    assertThat(allocator.sizeBatch("fit", 100 * MIB, MIB, 1, 50).batchSize()).isEqualTo(50);
    BatchDecision tooSmall = allocator.sizeBatch("fit", MIB, MIB, 2, 10);
    assertThat(tooSmall.fits()).isFalse();
    assertThat(tooSmall.batchSize()).isEqualTo(2);
    assertThat(tooSmall.reason()).contains("even the minimum batch");
    assertThat(allocator.decisions()).hasSize(3);
    assertThatThrownBy(() -> allocator.sizeBatch("x", MIB, 0, 1, 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> allocator.sizeBatch("x", MIB, 1, 3, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decisionLog_isBounded() {
    ResourceAllocator small =
        ResourceAllocator.builder(memory.rootScope()).decisionLogSize(3).build();
    for (int i = 0; i < 10; i++) {
      small.sizeBatch("t" + i, 100, 1, 1, 1000);
    }
    assertThat(small.decisions()).extracting(BatchDecision::task).containsExactly("t7", "t8", "t9");
  }

  private Grant acquireQuietly(TaskRequest request) {
    try {
      return allocator.acquire(request);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private void awaitWaiting(int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (allocator.waitingCount() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never saw " + count + " waiting tasks");
      }
      Thread.onSpinWait();
    }
  }

  private static Grant awaitAnyDone(List<Future<Grant>> futures) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (Future<Grant> f : futures) {
        if (f.isDone()) {
          futures.remove(f);
          return f.get();
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("no task was admitted");
  }
}
