package io.memguard.monitor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.core.internal.CgroupMemory;
import io.memguard.monitor.MemorySnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmSamplerTest {
  @TempDir Path tmp;

  @Test
  void theContainerIsReadEverySample_onceItsUsageReachesHalfItsLimit() throws IOException {
    Path root = tmp.resolve("cg");
    Files.createDirectories(root);
    Files.writeString(root.resolve("cgroup.controllers"), "memory\n");
    Files.writeString(root.resolve("memory.max"), "1000\n");
    Path current = root.resolve("memory.current");
    Files.writeString(current, "100\n");
    Path proc = Files.writeString(tmp.resolve("proc"), "0::/\n");
    AtomicLong now = new AtomicLong();
    long second = 1_000_000_000L;
    JvmSampler sampler = new JvmSampler(CgroupMemory.detect(root, proc), now::get, false, second);

    assertThat(usage(sampler)).isEqualTo(100);
    Files.writeString(current, "600\n");
    now.addAndGet(second / 10);
    assertThat(usage(sampler)).as("below half: the last reading until the refresh").isEqualTo(100);
    now.addAndGet(second);
    assertThat(usage(sampler)).isEqualTo(600);
    Files.writeString(current, "900\n");
    now.addAndGet(second / 10);
    assertThat(usage(sampler)).as("at half or more: every sample").isEqualTo(900);
    Files.writeString(current, "200\n");
    now.addAndGet(second / 10);
    assertThat(usage(sampler)).isEqualTo(200);
    Files.writeString(current, "950\n");
    now.addAndGet(second / 10);
    assertThat(usage(sampler)).as("back below half: refreshed once a second again").isEqualTo(200);
  }

  private static long usage(JvmSampler sampler) {
    MemorySnapshot.Builder b = MemorySnapshot.builder();
    sampler.sample(b);
    return b.build().containerUsageBytes();
  }

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
