package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Stopped tasks queued again by {@link ResourceAllocator#run}, and admission that asks the heap.
 */
class TaskRetryAndHeapAdmissionTest {

  private final AtomicReference<LiveHeap.Reading> reading =
      new AtomicReference<>(new LiveHeap.Reading(1, 100));

  /** A 1,000-byte heap with 100 bytes live and an ELEVATED line at 80%, under a large budget. */
  private MemoryManager manager() {
    return MemoryManager.builder()
        .limit(MemorySize.ofBytes(10_000))
        .leakDetection(LeakDetection.OFF)
        .liveHeapForTesting(1_000, reading::get)
        .liveHeapHeadroom(0)
        .build();
  }

  @Test
  void aStoppedTask_withRetries_isQueuedAgainAtItsRetryPriority_andCompletes() {
    try (MemoryManager memory = manager()) {
      AtomicInteger runs = new AtomicInteger();
      AtomicInteger lastPriority = new AtomicInteger(-1);
      TaskOutcome<String> outcome =
          memory
              .allocator()
              .run(
                  TaskRequest.named("t").priority(1).desiredBytes(10).retryWhenStopped(2, 7),
                  grant -> {
                    lastPriority.set(grant.priority());
                    if (runs.incrementAndGet() == 1) {
                      grant.cancellation().cancel("stopped by a test");
                      grant.cancellation().throwIfCancelled("the first run");
                    }
                    return "done";
                  });
      assertThat(outcome.status()).isEqualTo(TaskOutcome.Status.COMPLETED);
      assertThat(outcome.result()).isEqualTo("done");
      assertThat(outcome.attempts()).isEqualTo(2);
      assertThat(lastPriority.get()).isEqualTo(7);
      assertThat(memory.allocator().retriedCount()).isEqualTo(1);
    }
  }

  @Test
  void aTaskStoppedMoreOftenThanItsRetries_endsStopped_withTheLastReason() {
    try (MemoryManager memory = manager()) {
      AtomicInteger runs = new AtomicInteger();
      TaskOutcome<String> outcome =
          memory
              .allocator()
              .run(
                  TaskRequest.named("t").desiredBytes(10).retryWhenStopped(2, 0),
                  grant -> {
                    grant.cancellation().cancel("stop " + runs.incrementAndGet());
                    grant.cancellation().throwIfCancelled("a safe point");
                    return "never";
                  });
      assertThat(outcome.status()).isEqualTo(TaskOutcome.Status.STOPPED);
      assertThat(outcome.attempts()).isEqualTo(3);
      assertThat(outcome.stopReason()).isEqualTo("stop 3");
      assertThat(memory.allocator().retriedCount()).isEqualTo(2);
    }
  }

  @Test
  void aFailure_isNeverRetried() {
    try (MemoryManager memory = manager()) {
      TaskOutcome<String> outcome =
          memory
              .allocator()
              .run(
                  TaskRequest.named("t").desiredBytes(10).retryWhenStopped(5, 0),
                  grant -> {
                    throw new IllegalStateException("broken");
                  });
      assertThat(outcome.status()).isEqualTo(TaskOutcome.Status.FAILED);
      assertThat(outcome.attempts()).isEqualTo(1);
      assertThat(memory.allocator().retriedCount()).isZero();
    }
  }

  @Test
  void admission_waitsWhileTheHeapHasNoRoomForAnotherTask() {
    try (MemoryManager memory = manager()) {
      ResourceAllocator allocator = memory.allocator();
      Grant first = allocator.tryAcquire(TaskRequest.named("first").desiredBytes(500));
      assertThat(first).isNotNull();
      // 500 granted and not yet used + 300 desired > 800 (ELEVATED on the heap) - 100 live
      assertThat(allocator.tryAcquire(TaskRequest.named("second").desiredBytes(300))).isNull();

      Reservation used = first.scope().reserve(450);
      assertThat(allocator.tryAcquire(TaskRequest.named("second").desiredBytes(300))).isNull();
      assertThat(allocator.tryAcquire(TaskRequest.named("small").desiredBytes(200))).isNotNull();

      used.close();
      first.close();
      Grant second = allocator.tryAcquire(TaskRequest.named("second").desiredBytes(300));
      assertThat(second).isNotNull();
      second.close();
    }
  }

  @Test
  void heapAdmission_inShadowMode_admits_andRecordsTheHoldItWouldHaveMade() {
    try (MemoryManager memory = manager()) {
      memory.rollout().set(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, "shadow first");
      ResourceAllocator allocator = memory.allocator();
      Grant first = allocator.tryAcquire(TaskRequest.named("first").desiredBytes(500));
      Grant second = allocator.tryAcquire(TaskRequest.named("second").desiredBytes(300));
      assertThat(second).isNotNull();
      assertThat(memory.rollout().decisions())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.mode()).isEqualTo(ProtectionMode.OBSERVE);
                assertThat(d.key()).isEqualTo("second");
                assertThat(d.action())
                    .startsWith("hold task 'second' until the heap has room: it desires 300 B");
              });
      memory.rollout().set(Protection.HEAP_ADMISSION, ProtectionMode.ENFORCE, "enforce");
      assertThat(allocator.tryAcquire(TaskRequest.named("third").desiredBytes(300))).isNull();
      assertThat(memory.rollout().decisionCount(Protection.HEAP_ADMISSION, ProtectionMode.ENFORCE))
          .isEqualTo(1);
      second.close();
      first.close();
    }
  }

  @Test
  void theRolloutLearnsWhatFollowedEachDecision_whenTheTaskEnds() {
    try (MemoryManager memory = manager()) {
      memory.rollout().set(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, "shadow first");
      ResourceAllocator allocator = memory.allocator();
      Grant first = allocator.tryAcquire(TaskRequest.named("first").desiredBytes(500));
      TaskOutcome<String> fine =
          allocator.run(TaskRequest.named("fine").desiredBytes(300), grant -> "done");
      TaskOutcome<String> died =
          allocator.run(
              TaskRequest.named("died").desiredBytes(300),
              grant -> {
                throw new OutOfMemoryError("Java heap space (thrown by a test)");
              });
      first.close();
      assertThat(fine.completed()).isTrue();
      assertThat(died.status()).isEqualTo(TaskOutcome.Status.FAILED);
      assertThat(memory.rollout().decisions())
          .extracting(Rollout.Decision::key, Rollout.Decision::outcome)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("fine", Rollout.Outcome.COMPLETED),
              org.assertj.core.groups.Tuple.tuple("died", Rollout.Outcome.OUT_OF_MEMORY));
      assertThat(
              memory
                  .rollout()
                  .outcomeCount(
                      Protection.HEAP_ADMISSION,
                      ProtectionMode.OBSERVE,
                      Rollout.Outcome.OUT_OF_MEMORY))
          .isEqualTo(1);
    }
  }

  @Test
  void aTaskAlone_isAdmittedWhateverTheHeap() {
    reading.set(new LiveHeap.Reading(2, 900));
    try (MemoryManager memory = manager()) {
      Grant only = memory.allocator().tryAcquire(TaskRequest.named("only").desiredBytes(500));
      assertThat(only).isNotNull();
      only.close();
    }
  }
}
