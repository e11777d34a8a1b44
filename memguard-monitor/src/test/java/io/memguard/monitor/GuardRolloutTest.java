package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.core.CleanupStage;
import io.memguard.core.Grant;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureLevel;
import io.memguard.core.Protection;
import io.memguard.core.ProtectionMode;
import io.memguard.core.Rollout;
import io.memguard.core.TaskRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The guard under the staged rollout: shadow mode decides exactly as enforce mode, and acts not.
 */
class GuardRolloutTest {
  private static final long MS = 1_000_000;

  /** One guard on its own manager with three tasks, fed the samples of a fast-growing live set. */
  private static final class Setup implements AutoCloseable {
    final MemoryManager memory =
        MemoryManager.builder().limit(MemorySize.ofMebibytes(200)).noLiveHeapLimit().build();
    final List<Grant> tasks = new ArrayList<>();
    final List<String> cleanups = new ArrayList<>();
    final EmergencyGuard guard;

    Setup(ProtectionMode mode) throws InterruptedException {
      memory.rollout().set(Protection.EMERGENCY_GUARD, mode, "test");
      memory
          .cleanup()
          .register(
              "drop-cache",
              CleanupStage.CACHES,
              () -> {
                cleanups.add("ran");
                return 1L << 20;
              });
      for (int i = 0; i < 3; i++) {
        Grant g =
            memory
                .allocator()
                .acquire(TaskRequest.named("task-" + i).priority(i).minBytes(30L << 20));
        g.scope().reserve(20L << 20);
        tasks.add(g);
      }
      guard = EmergencyGuard.builder(memory).heapMaxBytes(100L << 20).build();
    }

    PressureLevel feed() {
      guard.evaluate(GuardSample.ofHeap(0, 0.70, 0.72));
      return guard.evaluate(GuardSample.ofHeap(100 * MS, 0.96, 0.97));
    }

    List<String> decided() {
      return memory.rollout().decisions().stream().map(Rollout.Decision::action).toList();
    }

    @Override
    public void close() {
      guard.close();
      tasks.forEach(Grant::close);
      memory.close();
    }
  }

  @Test
  void shadowMode_recordsExactlyWhatEnforceDoes_andActsOnNothing() throws Exception {
    try (Setup enforce = new Setup(ProtectionMode.ENFORCE);
        Setup observe = new Setup(ProtectionMode.OBSERVE)) {
      assertThat(enforce.feed()).isEqualTo(PressureLevel.EMERGENCY);
      assertThat(observe.feed()).isEqualTo(PressureLevel.EMERGENCY);

      assertThat(observe.decided()).isEqualTo(enforce.decided()).isNotEmpty();
      assertThat(enforce.decided())
          .anyMatch(a -> a.startsWith("pause admission"))
          .anyMatch(a -> a.startsWith("stop task 'task-0'"))
          .anyMatch(a -> a.startsWith("run cleanup stage caches"));
      assertThat(enforce.memory.rollout().decisions())
          .allMatch(d -> d.mode() == ProtectionMode.ENFORCE);
      assertThat(observe.memory.rollout().decisions())
          .allMatch(d -> d.mode() == ProtectionMode.OBSERVE);

      assertThat(enforce.tasks.get(0).cancellation().isCancelled()).isTrue();
      assertThat(enforce.memory.allocator().isPaused()).isTrue();
      assertThat(enforce.cleanups).containsExactly("ran");
      assertThat(observe.tasks).noneMatch(g -> g.cancellation().isCancelled());
      assertThat(observe.memory.allocator().isPaused()).isFalse();
      assertThat(observe.cleanups).isEmpty();
    }
  }

  @Test
  void recovery_settlesTheEmergencysDecisions_asARiskConfirmedByTheLiveSet() throws Exception {
    try (Setup observe = new Setup(ProtectionMode.OBSERVE)) {
      observe.feed();
      assertThat(observe.guard.evaluate(GuardSample.ofHeap(400 * MS, 0.50, 0.60)))
          .isEqualTo(PressureLevel.NORMAL);
      Rollout rollout = observe.memory.rollout();
      assertThat(rollout.decisions())
          .filteredOn(d -> !d.key().startsWith("task-"))
          .isNotEmpty()
          .allMatch(d -> d.outcome() == Rollout.Outcome.RISK_CONFIRMED);
      assertThat(rollout.decisions())
          .filteredOn(d -> d.key().startsWith("task-"))
          .isNotEmpty()
          .as("a grant's end is not a task's outcome: only allocator.run settles a task")
          .allMatch(d -> d.outcome() == null);
      assertThat(
              rollout.outcomeCount(
                  Protection.EMERGENCY_GUARD,
                  ProtectionMode.OBSERVE,
                  Rollout.Outcome.RISK_CONFIRMED))
          .isEqualTo(2);
    }
  }

  @Test
  void offMode_decidesNothing_andACanaryEnforcesOnlyItsShare() throws Exception {
    try (Setup off = new Setup(ProtectionMode.OFF)) {
      off.feed();
      assertThat(off.decided()).isEmpty();
      assertThat(off.tasks).noneMatch(g -> g.cancellation().isCancelled());
      assertThat(off.memory.allocator().isPaused()).isFalse();
    }
    try (Setup canary = new Setup(ProtectionMode.ENFORCE)) {
      canary
          .memory
          .rollout()
          .set(
              Protection.EMERGENCY_GUARD, new Rollout.Setting(ProtectionMode.ENFORCE, 0.0), "none");
      canary.feed();
      assertThat(canary.memory.rollout().decisions())
          .isNotEmpty()
          .allMatch(d -> d.mode() == ProtectionMode.OBSERVE);
      assertThat(canary.tasks).noneMatch(g -> g.cancellation().isCancelled());
    }
  }

  @Test
  void automaticRollback_raisesTheDefaultAlert_untilSwitchedBack() {
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(8)).build();
        MemoryMonitor monitor =
            MemoryMonitor.manual(
                memory, MonitorConfig.builder().period(java.time.Duration.ofMillis(100)).build())) {
      monitor.sampleNow();
      assertThat(monitor.alerts().active()).isEmpty();
      memory.rollout().fallBack(Protection.EMERGENCY_GUARD, "the guard failed while acting");
      monitor.sampleNow();
      assertThat(monitor.alerts().active())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.rule()).isEqualTo("protection-rolled-back");
                assertThat(a.severity()).isEqualTo(io.memguard.monitor.Severity.CRITICAL);
              });
      memory.rollout().set(Protection.EMERGENCY_GUARD, ProtectionMode.ENFORCE, "fixed");
      monitor.sampleNow();
      assertThat(monitor.alerts().active()).isEmpty();
    }
  }
}
