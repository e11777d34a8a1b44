package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskOutcomeTest {
  private final MemoryManager memory =
      MemoryManager.builder().limit(MemorySize.ofMebibytes(10)).build();
  private final ResourceAllocator allocator = memory.allocator();

  @AfterEach
  void close() {
    memory.close();
  }

  @Test
  void completedTask_returnsItsResult_andReleasesItsGrant() {
    TaskOutcome<Long> outcome =
        allocator.run(
            TaskRequest.named("ok").minBytes(1024),
            grant -> {
              try (Reservation r = grant.scope().reserve(512)) {
                return r.bytes();
              }
            });
    assertThat(outcome.status()).isEqualTo(TaskOutcome.Status.COMPLETED);
    assertThat(outcome.result()).isEqualTo(512);
    assertThat(allocator.grantedBytes()).isZero();
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void cancelledTask_stopsAtItsSafePoint_withTheReason() {
    TaskOutcome<Object> outcome =
        allocator.run(
            TaskRequest.named("victim").minBytes(1024),
            grant -> {
              grant.scope().reserve(100); // still held when it stops: released by the grant's close
              grant.cancellation().cancel("emergency: heap live set at 96%");
              grant.cancellation().throwIfCancelled("batch 3 of 10");
              return null;
            });
    assertThat(outcome.status()).isEqualTo(TaskOutcome.Status.STOPPED);
    assertThat(outcome.stopReason()).isEqualTo("emergency: heap live set at 96%");
    assertThat(outcome.error()).hasMessageContaining("batch 3 of 10");
    assertThat(memory.reservedBytes()).isZero();
  }

  @Test
  void failingTask_isAFailedOutcome_neverAThrow() {
    TaskOutcome<Object> outcome =
        allocator.run(
            TaskRequest.named("broken").minBytes(1),
            grant -> {
              throw new IllegalStateException("bad input");
            });
    assertThat(outcome.status()).isEqualTo(TaskOutcome.Status.FAILED);
    assertThat(outcome.error()).hasMessage("bad input");
  }

  @Test
  void taskThatIsNeverAdmitted_saysSo() throws Exception {
    try (Grant hog = allocator.acquire(TaskRequest.named("hog").minBytes(10L << 20))) {
      TaskOutcome<Object> outcome =
          allocator.run(
              TaskRequest.named("late").minBytes(1).timeout(Duration.ZERO), grant -> "never");
      assertThat(outcome.status()).isEqualTo(TaskOutcome.Status.NOT_ADMITTED);
      assertThat(outcome.error()).isInstanceOf(AdmissionTimeoutException.class);
    }
  }

  @Test
  void endedTasks_keepEachEndWithoutItsResult_andCountByStatus() {
    allocator.run(TaskRequest.named("ok").minBytes(1), grant -> new byte[1024]);
    allocator.run(
        TaskRequest.named("broken").minBytes(1),
        grant -> {
          throw new IllegalStateException("bad input");
        });
    allocator.run(
        TaskRequest.named("victim").minBytes(1),
        grant -> {
          grant.cancellation().cancel("emergency");
          grant.cancellation().throwIfCancelled("batch 1");
          return null;
        });
    assertThat(allocator.endedTasks())
        .extracting(EndedTask::taskName, EndedTask::status, EndedTask::detail)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ok", TaskOutcome.Status.COMPLETED, null),
            org.assertj.core.groups.Tuple.tuple(
                "broken", TaskOutcome.Status.FAILED, "IllegalStateException: bad input"),
            org.assertj.core.groups.Tuple.tuple("victim", TaskOutcome.Status.STOPPED, "emergency"));
    assertThat(allocator.endedTasks()).allSatisfy(e -> assertThat(e.attempts()).isEqualTo(1));
    assertThat(allocator.endedCount(TaskOutcome.Status.COMPLETED)).isEqualTo(1);
    assertThat(allocator.endedCount(TaskOutcome.Status.FAILED)).isEqualTo(1);
    assertThat(allocator.endedCount(TaskOutcome.Status.STOPPED)).isEqualTo(1);
    assertThat(allocator.endedCount(TaskOutcome.Status.NOT_ADMITTED)).isZero();
  }
}
