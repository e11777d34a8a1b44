package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PressureLevelTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final MemoryManager memory =
      MemoryManager.builder().limit(MemorySize.ofBytes(1000)).ticker(now::get).build();
  private final List<PressureChange> changes = new CopyOnWriteArrayList<>();

  {
    memory.addPressureListener(changes::add);
  }

  @AfterEach
  void close() {
    memory.close();
  }

  @Test
  void accounting_crossesTheDefaultThresholds_andComesBack() {
    MemoryScope s = memory.openScope("s");
    Reservation r = s.reserve(799);
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.NORMAL);
    r.grow(1);
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.ELEVATED);
    r.grow(100);
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.CRITICAL);
    r.grow(50);
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.EMERGENCY);
    r.close();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.NORMAL);
    assertThat(changes)
        .extracting(PressureChange::current)
        .containsExactly(
            PressureLevel.ELEVATED,
            PressureLevel.CRITICAL,
            PressureLevel.EMERGENCY,
            PressureLevel.NORMAL);
    assertThat(changes.get(2).utilization()).isEqualTo(0.95);
    assertThat(changes.get(2).source()).isEqualTo("accounting");
    assertThat(changes.get(2).nanoTime()).isEqualTo(1_000);
  }

  @Test
  void source_raisesTheLevel_onRefresh_andTheMostUrgentWins() {
    AtomicReference<Double> heap = new AtomicReference<>(0.5);
    memory.addPressureSource(source("heap-live", heap));
    memory.refreshPressure();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.NORMAL);
    heap.set(0.92);
    memory.refreshPressure();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.CRITICAL);
    assertThat(changes.get(0).source()).isEqualTo("heap-live");
    memory.openScope("s").reserve(960);
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.EMERGENCY);
    heap.set(0.1);
    memory.refreshPressure();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.EMERGENCY);
  }

  @Test
  void unavailableOrThrowingSources_areIgnored() {
    memory.addPressureSource(source("nan", new AtomicReference<>(Double.NaN)));
    memory.addPressureSource(
        new PressureSource() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public double utilization() {
            throw new IllegalStateException("sensor down");
          }
        });
    memory.refreshPressure();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.NORMAL);
  }

  @Test
  void removingASource_dropsItsLevel() {
    Registration r = memory.addPressureSource(source("rss", new AtomicReference<>(0.99)));
    memory.refreshPressure();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.EMERGENCY);
    r.close();
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.NORMAL);
  }

  @Test
  void aListenerThatReleases_doesNotReorderWhatTheOthersHear() {
    MemoryScope s = memory.openScope("s");
    Reservation spill = s.reserve(500);
    memory.addPressureListener(
        c -> {
          if (c.current() == PressureLevel.CRITICAL) {
            spill.close(); // the usual thing to do: release on pressure
          }
        });
    List<PressureChange> heard = new CopyOnWriteArrayList<>();
    memory.addPressureListener(heard::add);

    Reservation r = s.reserve(400); // 900 of 1000: CRITICAL, then the spill brings it to NORMAL

    assertThat(heard)
        .extracting(PressureChange::previous, PressureChange::current)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(PressureLevel.NORMAL, PressureLevel.CRITICAL),
            org.assertj.core.groups.Tuple.tuple(PressureLevel.CRITICAL, PressureLevel.NORMAL));
    assertThat(heard.get(heard.size() - 1).current()).isEqualTo(memory.pressureLevel());
    r.close();
  }

  @Test
  void aListenerThatThrowsAnError_isIsolatedToo() {
    memory.addPressureListener(
        c -> {
          throw new AssertionError("a listener's bug");
        });
    List<PressureChange> after = new CopyOnWriteArrayList<>();
    memory.addPressureListener(after::add);
    MemoryScope s = memory.openScope("s");
    try (Reservation r = s.reserve(900)) {
      assertThat(after).hasSize(1);
    }
  }

  @Test
  void closingARegistrationTwice_removesOnlyItsOwnEntry() {
    List<PressureChange> heard = new CopyOnWriteArrayList<>();
    PressureListener listener = heard::add;
    Registration first = memory.addPressureListener(listener);
    memory.addPressureListener(listener); // the same listener, registered again
    first.close();
    first.close();
    MemoryScope s = memory.openScope("s");
    try (Reservation r = s.reserve(900)) {
      assertThat(heard).as("the second registration still hears").hasSize(1);
    }
  }

  @Test
  void throwingListener_isIsolated() {
    memory.addPressureListener(
        c -> {
          throw new IllegalStateException("listener bug");
        });
    memory.openScope("s").reserve(900);
    assertThat(memory.pressureLevel()).isEqualTo(PressureLevel.CRITICAL);
    assertThat(changes).hasSize(1);
  }

  @Test
  void customThresholds_areValidated() {
    assertThatThrownBy(() -> MemoryManager.builder().pressureThresholds(0.9, 0.8, 0.95))
        .isInstanceOf(IllegalArgumentException.class);
    try (MemoryManager m =
        MemoryManager.builder()
            .limit(MemorySize.ofBytes(100))
            .pressureThresholds(0.5, 0.6, 0.7)
            .build()) {
      m.openScope("s").reserve(60);
      assertThat(m.pressureLevel()).isEqualTo(PressureLevel.CRITICAL);
      assertThat(m.levelFor(0.71)).isEqualTo(PressureLevel.EMERGENCY);
      assertThat(m.levelFor(Double.NaN)).isEqualTo(PressureLevel.NORMAL);
    }
  }

  private static PressureSource source(String name, AtomicReference<Double> value) {
    return new PressureSource() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public double utilization() {
        return value.get();
      }
    };
  }
}
