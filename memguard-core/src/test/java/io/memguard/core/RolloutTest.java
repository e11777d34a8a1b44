package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RolloutTest {
  private final AtomicLong now = new AtomicLong();
  private final MemoryManager memory =
      MemoryManager.builder()
          .name("rollout")
          .limit(MemorySize.ofMebibytes(8))
          .ticker(now::get)
          .build();
  private final Rollout rollout = memory.rollout();

  @Test
  void defaults_enforceEverything_forEveryKey() {
    for (Protection p : Protection.values()) {
      assertThat(rollout.setting(p)).isEqualTo(new Rollout.Setting(ProtectionMode.ENFORCE, 1));
      assertThat(rollout.modeFor(p, "any task")).isEqualTo(ProtectionMode.ENFORCE);
    }
    assertThat(rollout.switches()).isEmpty();
  }

  @Test
  void canary_isStableByKey_proportional_andGrowsWithoutReshuffling() {
    rollout.set(
        Protection.EMERGENCY_GUARD, new Rollout.Setting(ProtectionMode.ENFORCE, 0.25), "canary");
    List<String> quarter = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      String key = "task-" + i;
      ProtectionMode m = rollout.modeFor(Protection.EMERGENCY_GUARD, key);
      assertThat(rollout.modeFor(Protection.EMERGENCY_GUARD, key)).isEqualTo(m);
      assertThat(m).isIn(ProtectionMode.ENFORCE, ProtectionMode.OBSERVE);
      if (m == ProtectionMode.ENFORCE) {
        quarter.add(key);
      }
    }
    assertThat(quarter.size()).isBetween(2_300, 2_700);
    rollout.set(
        Protection.EMERGENCY_GUARD, new Rollout.Setting(ProtectionMode.ENFORCE, 0.5), "wider");
    assertThat(quarter)
        .allMatch(k -> rollout.modeFor(Protection.EMERGENCY_GUARD, k) == ProtectionMode.ENFORCE);
    assertThat(rollout.modeFor(Protection.AUTOFEAT_LIGHTWEIGHT, "task-1"))
        .isEqualTo(ProtectionMode.ENFORCE);
  }

  @Test
  void switches_areKeptAndTold_andFallBackOnlyLeavesEnforce() {
    List<Rollout.Switch> told = new ArrayList<>();
    rollout.addListener(told::add);
    rollout.set(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, "shadow first");
    rollout.set(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, "again: no switch");
    rollout.fallBack(Protection.HEAP_ADMISSION, "already observing: nothing to do");
    rollout.fallBack(Protection.EMERGENCY_GUARD, "it failed");
    assertThat(told).hasSize(2);
    assertThat(rollout.switches()).isEqualTo(told);
    assertThat(told.get(0).reason()).isEqualTo("shadow first");
    assertThat(told.get(0).automatic()).isFalse();
    assertThat(told.get(1).protection()).isEqualTo(Protection.EMERGENCY_GUARD);
    assertThat(told.get(1).to().mode()).isEqualTo(ProtectionMode.OBSERVE);
    assertThat(told.get(1).automatic()).isTrue();
  }

  @Test
  void flapping_unconfirmedEmergenciesWithinTheWindow_rollBackToObserve() {
    rollout.flapping(3, Duration.ofMinutes(10));
    assertThat(rollout.noteEmergency(Protection.EMERGENCY_GUARD, false)).isFalse();
    now.addAndGet(Duration.ofMinutes(4).toNanos());
    assertThat(rollout.noteEmergency(Protection.EMERGENCY_GUARD, true)).isFalse(); // a real one
    assertThat(rollout.noteEmergency(Protection.EMERGENCY_GUARD, false)).isFalse();
    now.addAndGet(Duration.ofMinutes(11).toNanos());
    assertThat(rollout.noteEmergency(Protection.EMERGENCY_GUARD, false)).isFalse(); // 11 min apart
    now.addAndGet(Duration.ofMinutes(2).toNanos());
    assertThat(rollout.noteEmergency(Protection.EMERGENCY_GUARD, false)).isFalse();
    now.addAndGet(Duration.ofMinutes(2).toNanos());
    assertThat(rollout.noteEmergency(Protection.EMERGENCY_GUARD, false)).isTrue();
    assertThat(rollout.mode(Protection.EMERGENCY_GUARD)).isEqualTo(ProtectionMode.OBSERVE);
    assertThat(rollout.switches())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.automatic()).isTrue();
              assertThat(s.reason()).contains("flapping: 3 emergencies within PT10M");
            });
  }

  @Test
  void decisions_areCountedPerModeAndKept() {
    rollout.record(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, "t", "hold task 't'");
    rollout.record(Protection.HEAP_ADMISSION, ProtectionMode.ENFORCE, "u", "hold task 'u'");
    assertThat(rollout.decisionCount(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE))
        .isEqualTo(1);
    assertThat(rollout.decisionCount(Protection.HEAP_ADMISSION, ProtectionMode.ENFORCE))
        .isEqualTo(1);
    assertThat(rollout.decisions())
        .extracting(Rollout.Decision::action)
        .containsExactly("hold task 't'", "hold task 'u'");
  }

  @Test
  void outcomes_settleEveryWaitingDecisionAboutTheKey_once_countedPerMode() {
    rollout.record(Protection.EMERGENCY_GUARD, ProtectionMode.ENFORCE, "t", "stop task 't'");
    rollout.record(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, "t", "hold task 't'");
    rollout.record(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, "u", "hold task 'u'");
    assertThat(rollout.decisions()).allMatch(d -> d.outcome() == null && d.settledAt() == null);

    assertThat(rollout.settle("t", Rollout.Outcome.COMPLETED)).isEqualTo(2);
    assertThat(rollout.settle("t", Rollout.Outcome.OUT_OF_MEMORY)).isZero();
    assertThat(rollout.settle("nobody", Rollout.Outcome.FAILED)).isZero();

    assertThat(
            rollout.outcomeCount(
                Protection.EMERGENCY_GUARD, ProtectionMode.ENFORCE, Rollout.Outcome.COMPLETED))
        .isEqualTo(1);
    assertThat(
            rollout.outcomeCount(
                Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, Rollout.Outcome.COMPLETED))
        .isEqualTo(1);
    assertThat(
            rollout.outcomeCount(
                Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, Rollout.Outcome.OUT_OF_MEMORY))
        .isZero();
    assertThat(rollout.unsettledCount(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE))
        .isEqualTo(1);
    assertThat(rollout.decisions())
        .extracting(Rollout.Decision::key, Rollout.Decision::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("t", Rollout.Outcome.COMPLETED),
            org.assertj.core.groups.Tuple.tuple("t", Rollout.Outcome.COMPLETED),
            org.assertj.core.groups.Tuple.tuple("u", null));
    assertThat(rollout.describeOutcomes())
        .isEqualTo(
            "EMERGENCY_GUARD: enforced 1 (completed 1); observed 0\n"
                + "HEAP_ADMISSION: enforced 0; observed 2 (completed 1, pending 1)");
  }

  @Test
  void settle_forOneProtection_leavesTheOthersWaiting() {
    rollout.record(Protection.EMERGENCY_GUARD, ProtectionMode.OBSERVE, "admission", "pause");
    rollout.record(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE, "admission", "hold");
    assertThat(
            rollout.settle(
                Protection.EMERGENCY_GUARD, "admission", Rollout.Outcome.RISK_UNCONFIRMED))
        .isEqualTo(1);
    assertThat(rollout.unsettledCount(Protection.HEAP_ADMISSION, ProtectionMode.OBSERVE))
        .isEqualTo(1);
    assertThat(rollout.settle("admission", Rollout.Outcome.FAILED)).isEqualTo(1);
    assertThat(rollout.unsettledCount(Protection.EMERGENCY_GUARD, ProtectionMode.OBSERVE)).isZero();
  }

  @Test
  void outcomeOfAFailure_findsMemoryAnywhereInTheCauseChain() {
    assertThat(Rollout.Outcome.ofFailure(new IllegalStateException("x")))
        .isEqualTo(Rollout.Outcome.FAILED);
    assertThat(Rollout.Outcome.ofFailure(null)).isEqualTo(Rollout.Outcome.FAILED);
    assertThat(
            Rollout.Outcome.ofFailure(
                new RuntimeException("wrapped", new OutOfMemoryError("Java heap space"))))
        .isEqualTo(Rollout.Outcome.OUT_OF_MEMORY);
    MemoryBudgetExceededException refused =
        assertThrowsBudget(() -> memory.rootScope().reserve(MemorySize.ofMebibytes(9).toBytes()));
    assertThat(Rollout.Outcome.ofFailure(new RuntimeException("wrapped", refused)))
        .isEqualTo(Rollout.Outcome.MEMORY_REFUSED);
    assertThat(
            Rollout.Outcome.ofTask(
                TaskOutcome.Status.STOPPED,
                new TaskStoppedException("the guard stopped it", "a test")))
        .isEqualTo(Rollout.Outcome.STOPPED);
    assertThat(Rollout.Outcome.ofTask(TaskOutcome.Status.COMPLETED, null))
        .isEqualTo(Rollout.Outcome.COMPLETED);
  }

  private static MemoryBudgetExceededException assertThrowsBudget(Runnable r) {
    try {
      r.run();
    } catch (MemoryBudgetExceededException e) {
      return e;
    }
    throw new AssertionError("expected a MemoryBudgetExceededException");
  }

  @Test
  void atMost1024DecisionsWait_theOldestStayUnsettled() {
    for (int i = 0; i < 1_100; i++) {
      rollout.record(Protection.HEAP_ADMISSION, ProtectionMode.ENFORCE, "k" + i, "hold");
    }
    assertThat(rollout.settle("k0", Rollout.Outcome.COMPLETED)).isZero();
    assertThat(rollout.settle("k1099", Rollout.Outcome.COMPLETED)).isEqualTo(1);
    assertThat(rollout.unsettledCount(Protection.HEAP_ADMISSION, ProtectionMode.ENFORCE))
        .isEqualTo(1_099);
    assertThat(rollout.decisions()).hasSize(256);
  }

  @Test
  void settings_parseFromText_andTheSystemPropertyAtStart() {
    assertThat(Rollout.parse("observe")).isEqualTo(new Rollout.Setting(ProtectionMode.OBSERVE, 1));
    assertThat(Rollout.parse("ENFORCE:0.1"))
        .isEqualTo(new Rollout.Setting(ProtectionMode.ENFORCE, 0.1));
    assertThatThrownBy(() -> Rollout.parse("OBSERVE:0.5")).hasMessageContaining("only ENFORCE");
    assertThatThrownBy(() -> Rollout.parse("sometimes")).hasMessageContaining("expected OFF");
    System.setProperty("memguard.rollout.autofeat-lightweight", "OFF");
    try (MemoryManager m = MemoryManager.builder().limit(MemorySize.ofMebibytes(1)).build()) {
      assertThat(m.rollout().mode(Protection.AUTOFEAT_LIGHTWEIGHT)).isEqualTo(ProtectionMode.OFF);
      assertThat(m.rollout().mode(Protection.EMERGENCY_GUARD)).isEqualTo(ProtectionMode.ENFORCE);
    } finally {
      System.clearProperty("memguard.rollout.autofeat-lightweight");
    }
  }
}
