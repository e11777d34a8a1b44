package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class WeakRegistryTest {

  static final class Model {
    final byte[] weights = new byte[1024];
  }

  @Test
  void holdsEntriesWeakly_andPrunesCollectedOnesWithoutAThread() throws Exception {
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(1)).build()) {
      WeakRegistry<Model> models = memory.newWeakRegistry("models");
      List<String> added = new CopyOnWriteArrayList<>();
      List<String> collected = new CopyOnWriteArrayList<>();
      models.addListener(
          new WeakRegistry.Listener<>() {
            @Override
            public void onAdded(Model value, String label) {
              added.add(label);
            }

            @Override
            public void onCollected(String label) {
              collected.add(label);
            }
          });
      Model kept = new Model();
      models.add(kept, "kept");
      addAndDrop(models, "dropped");
      assertThat(added).containsExactly("kept", "dropped");
      assertThat(memory.weakRegistries()).containsExactly(models);

      for (int i = 0; i < 100 && models.liveCount() > 1; i++) {
        System.gc(); // a test may ask; the library never does
        Thread.sleep(10);
      }
      assertThat(models.liveCount()).isEqualTo(1);
      assertThat(models.liveEntries()).containsExactly(kept);
      assertThat(collected).containsExactly("dropped");
      assertThat(models.addedCount()).isEqualTo(2);
      assertThat(models.collectedCount()).isEqualTo(1);

      models.close();
      models.close();
      assertThat(memory.weakRegistries()).isEmpty();
      assertThatThrownBy(() -> models.add(kept)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void registration_removesAnEntry() {
    WeakRegistry<Object> registry = WeakRegistry.unmanaged("r");
    Object value = new Object();
    Registration r = registry.add(value);
    assertThat(registry.liveCount()).isEqualTo(1);
    r.close();
    assertThat(registry.liveCount()).isZero();
  }

  @Test
  void throwingListener_neverReachesTheCaller() {
    WeakRegistry<Object> registry = WeakRegistry.unmanaged("r");
    registry.addListener(
        new WeakRegistry.Listener<>() {
          @Override
          public void onAdded(Object value, String label) {
            throw new IllegalStateException("listener bug");
          }
        });
    Object value = new Object();
    registry.add(value, "x");
    assertThat(registry.liveEntries()).containsExactly(value);
  }

  private static void addAndDrop(WeakRegistry<Model> registry, String label) {
    registry.add(new Model(), label);
  }
}
