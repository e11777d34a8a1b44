package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CleanupManagerTest {
  private final AtomicLong now = new AtomicLong();
  private final MemoryManager memory =
      MemoryManager.builder()
          .limit(MemorySize.ofMebibytes(1))
          .ticker(now::get)
          .cleanupHistory(5)
          .build();
  private final CleanupManager cleanup = memory.cleanup();

  @AfterEach
  void close() {
    memory.close();
  }

  @Test
  void runStagesUntil_runsMostExpendableFirst_andStopsWhenRelieved() {
    List<String> ran = new ArrayList<>();
    AtomicLong freed = new AtomicLong();
    cleanup.register(
        "models",
        CleanupStage.MODELS,
        () -> {
          ran.add("models");
          return 100;
        });
    cleanup.register(
        "cache-a",
        CleanupStage.CACHES,
        () -> {
          ran.add("cache-a");
          freed.addAndGet(10);
          return 10;
        });
    cleanup.register(
        "pool",
        CleanupStage.POOLS,
        () -> {
          ran.add("pool");
          freed.addAndGet(50);
          return 50;
        });
    MemoryScope scope = memory.openScope("job");
    scope.registerCleanup(
        "cache-b",
        CleanupStage.CACHES,
        () -> {
          ran.add("cache-b");
          freed.addAndGet(5);
          return 5;
        });

    CleanupReport run = cleanup.runStagesUntil(() -> freed.get() >= 40);

    assertThat(ran).containsExactly("cache-b", "cache-a", "pool");
    assertThat(run.stagesRun()).containsExactly(CleanupStage.CACHES, CleanupStage.POOLS);
    assertThat(run.conditionMet()).isTrue();
    assertThat(run.bytesReleased()).isEqualTo(65);
    assertThat(run.runs())
        .extracting(CleanupRun::scopePath)
        .containsExactly("root/job", "global", "global");
    assertThat(run.runs())
        .allSatisfy(r -> assertThat(r.trigger()).isEqualTo(CleanupRun.Trigger.ON_DEMAND));
  }

  @Test
  void runStagesUntil_alreadyRelieved_runsNothing() {
    cleanup.register("c", CleanupStage.CACHES, () -> 1);
    CleanupReport run = cleanup.runStagesUntil(() -> true);
    assertThat(run.runs()).isEmpty();
    assertThat(run.conditionMet()).isTrue();
  }

  @Test
  void runStagesUntil_neverRelieved_runsEveryStageAndSaysSo() {
    cleanup.register("a", CleanupStage.CACHES, () -> 1);
    cleanup.register("b", CleanupStage.of("custom", 250), () -> 2);
    cleanup.register("c", CleanupStage.MODELS, () -> 3);
    CleanupReport run = cleanup.runStagesUntil(() -> false);
    assertThat(run.stagesRun())
        .extracting(CleanupStage::name)
        .containsExactly("caches", "custom", "models");
    assertThat(run.conditionMet()).isFalse();
  }

  @Test
  void everyActionRuns_evenWhenOthersThrow_andTheErrorsAreReported() {
    List<String> ran = new ArrayList<>();
    cleanup.register(
        "ok-1",
        CleanupStage.CACHES,
        () -> {
          ran.add("ok-1");
          return 1;
        });
    cleanup.register(
        "bad",
        CleanupStage.CACHES,
        () -> {
          throw new IllegalStateException("nope");
        });
    cleanup.register(
        "err",
        CleanupStage.CACHES,
        () -> {
          throw new AssertionError("worse");
        });
    cleanup.register(
        "ok-2",
        CleanupStage.CACHES,
        () -> {
          ran.add("ok-2");
          return CleanupAction.UNKNOWN_BYTES;
        });
    CleanupReport run = cleanup.runStage(CleanupStage.CACHES);
    assertThat(ran).containsExactly("ok-2", "ok-1");
    assertThat(run.failures()).extracting(CleanupRun::action).containsExactly("err", "bad");
    assertThat(run.failures()).allSatisfy(f -> assertThat(f.error()).isNotNull());
    assertThat(run.bytesReleased()).isEqualTo(1);
  }

  @Test
  void reports_carryDurationFromTheTicker_andHistoryIsBounded() {
    cleanup.register(
        "slow",
        CleanupStage.CACHES,
        () -> {
          now.addAndGet(5_000_000);
          return 7;
        });
    for (int i = 0; i < 8; i++) {
      cleanup.runStage(CleanupStage.CACHES);
    }
    assertThat(cleanup.history()).hasSize(5);
    CleanupRun last = cleanup.history().get(4);
    assertThat(last.duration().toMillis()).isEqualTo(5);
    assertThat(last.bytesReleased()).isEqualTo(7);
    assertThat(last.outcome()).isEqualTo(CleanupRun.Outcome.SUCCEEDED);
  }

  @Test
  void scopeActions_runAtCloseOnce_andLeaveTheRegistry() {
    List<String> ran = new ArrayList<>();
    MemoryScope scope = memory.openScope("s");
    scope.registerCleanup(
        "c",
        CleanupStage.CACHES,
        () -> {
          ran.add("c");
          return 0;
        });
    assertThat(cleanup.registered())
        .extracting(CleanupManager.RegisteredCleanup::scopePath)
        .containsExactly("root/s");
    cleanup.runStage(CleanupStage.CACHES);
    ScopeCloseReport report = scope.closeAndReport();
    assertThat(ran).containsExactly("c", "c");
    assertThat(report.cleanups())
        .singleElement()
        .satisfies(r -> assertThat(r.trigger()).isEqualTo(CleanupRun.Trigger.SCOPE_CLOSE));
    assertThat(cleanup.registered()).isEmpty();
    cleanup.runStage(CleanupStage.CACHES);
    assertThat(ran).hasSize(2);
  }

  @Test
  void globalRegistration_closeRemovesIt() {
    Registration r = cleanup.register("x", CleanupStage.POOLS, () -> 0);
    r.close();
    r.close();
    assertThat(cleanup.registered()).isEmpty();
  }

  @Test
  void stopCondition_thatThrows_countsAsNotRelieved() {
    cleanup.register("a", CleanupStage.CACHES, () -> 1);
    CleanupReport run =
        cleanup.runStagesUntil(
            () -> {
              throw new IllegalStateException("bad probe");
            });
    assertThat(run.conditionMet()).isFalse();
    assertThat(run.runs()).hasSize(1);
  }
}
