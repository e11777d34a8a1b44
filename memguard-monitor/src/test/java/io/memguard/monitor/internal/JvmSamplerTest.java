package io.memguard.monitor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmSamplerTest {
  @Test
  void liveSet_isBoundedByTheHeapInUse_whenACycleFreedMemoryBetweenPauses() {
    assertThat(JvmSampler.boundedByHeapUsed(240, 90))
        .as("G1 remark freed whole regions")
        .isEqualTo(90);
    assertThat(JvmSampler.boundedByHeapUsed(90, 120)).as("allocation since the GC").isEqualTo(90);
    assertThat(JvmSampler.boundedByHeapUsed(-1, 120)).as("no GC yet: still unknown").isEqualTo(-1);
    assertThat(JvmSampler.boundedByHeapUsed(90, -1)).as("heap unreadable").isEqualTo(90);
  }

  @Test
  void oldGenerationPools_andConcurrentCollectors_areRecognisedAcrossCollectors() {
    assertThat(JvmSampler.isOldGeneration("G1 Old Gen")).isTrue();
    assertThat(JvmSampler.isOldGeneration("Tenured Gen")).isTrue();
    assertThat(JvmSampler.isOldGeneration("PS Old Gen")).isTrue();
    assertThat(JvmSampler.isOldGeneration("G1 Eden Space")).isFalse();
    assertThat(JvmSampler.isPausing("G1 Young Generation")).isTrue();
    assertThat(JvmSampler.isPausing("ZGC Cycles")).isFalse();
    assertThat(JvmSampler.isPausing("G1 Concurrent GC")).isFalse();
  }
}
