package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every callback memguard-core makes into user code is isolated, whatever the callback throws: an
 * unchecked exception, an {@link Error}, or a checked exception thrown past the compiler (what a
 * Kotlin or Scala listener can do, since those languages have no checked exceptions).
 */
class ObserversNeverThrowTest {

  static Stream<Throwable> failures() {
    return Stream.of(
        new IllegalStateException("a listener's bug"),
        new AssertionError("a listener's assertion"),
        new IOException("a checked exception from a Kotlin listener"));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void pressureListener_thatThrows_neitherReachesTheReserverNorSilencesTheNext(Throwable failure) {
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofBytes(1000)).build()) {
      memory.addPressureListener(c -> sneakyThrow(failure));
      List<PressureChange> heard = new CopyOnWriteArrayList<>();
      memory.addPressureListener(heard::add);
      MemoryScope s = memory.openScope("s");
      try (Reservation r = s.reserve(900)) {
        assertThat(heard)
            .singleElement()
            .extracting(PressureChange::current)
            .isEqualTo(PressureLevel.CRITICAL);
      }
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @ParameterizedTest
  @MethodSource("failures")
  void leakListener_thatThrows_neitherReachesTheCloserNorSilencesTheNext(Throwable failure) {
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofBytes(1000)).build()) {
      memory.addLeakListener(leak -> sneakyThrow(failure));
      List<ReservationLeak> heard = new CopyOnWriteArrayList<>();
      memory.addLeakListener(heard::add);
      MemoryScope s = memory.openScope("s");
      s.reserve(100);
      s.close();
      assertThat(heard).singleElement().extracting(ReservationLeak::bytes).isEqualTo(100L);
      assertThat(memory.reservedBytes()).isZero();
    }
  }

  @ParameterizedTest
  @MethodSource("failures")
  void weakRegistryListener_thatThrows_neverReachesTheCaller(Throwable failure) {
    WeakRegistry<Object> registry = WeakRegistry.unmanaged("r");
    registry.addListener(
        new WeakRegistry.Listener<>() {
          @Override
          public void onAdded(Object value, String label) {
            sneakyThrow(failure);
          }
        });
    List<String> heard = new CopyOnWriteArrayList<>();
    registry.addListener(
        new WeakRegistry.Listener<>() {
          @Override
          public void onAdded(Object value, String label) {
            heard.add(label);
          }
        });
    Object value = new Object();
    registry.add(value, "x");
    assertThat(registry.liveEntries()).containsExactly(value);
    assertThat(heard).containsExactly("x");
  }

  @ParameterizedTest
  @MethodSource("failures")
  void rolloutListener_thatThrows_neverReachesTheSwitch(Throwable failure) {
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofBytes(1000)).build()) {
      Rollout rollout = memory.rollout();
      rollout.addListener(sw -> sneakyThrow(failure));
      List<Rollout.Switch> heard = new CopyOnWriteArrayList<>();
      rollout.addListener(heard::add);
      rollout.set(Protection.LEAK_ACTIONS, ProtectionMode.OFF, "test");
      assertThat(rollout.mode(Protection.LEAK_ACTIONS)).isEqualTo(ProtectionMode.OFF);
      assertThat(heard).hasSize(1);
    }
  }

  @ParameterizedTest
  @MethodSource("failures")
  void cleanupStopCondition_thatThrows_countsAsNotRelieved(Throwable failure) {
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofBytes(1000)).build()) {
      List<String> ran = new CopyOnWriteArrayList<>();
      memory
          .cleanup()
          .register(
              "caches",
              CleanupStage.CACHES,
              () -> {
                ran.add("caches");
                return 0;
              });
      memory
          .cleanup()
          .register(
              "pools",
              CleanupStage.POOLS,
              () -> {
                ran.add("pools");
                return 0;
              });
      CleanupReport report =
          memory
              .cleanup()
              .runStagesUntil(
                  () -> {
                    sneakyThrow(failure);
                    return true;
                  });
      assertThat(ran).containsExactlyInAnyOrder("caches", "pools");
      assertThat(report.conditionMet()).isFalse();
    }
  }

  @SuppressWarnings("unchecked")
  static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
    throw (E) t;
  }
}
