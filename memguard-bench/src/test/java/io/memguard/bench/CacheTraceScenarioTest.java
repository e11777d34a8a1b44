package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheTraceScenarioTest {

  @Test
  void aLoopLargerThanTheCache_defeatsLru_butNotTinyLfu() {
    List<Integer> trace = new ArrayList<>();
    for (int pass = 0; pass < 200; pass++) {
      for (int k = 0; k < 10; k++) {
        trace.add(k);
      }
    }
    assertThat(CacheTraceScenario.lruHitRate(trace, 5)).isZero();
    assertThat(CacheTraceScenario.caffeineHitRate(trace, 5)).isGreaterThan(0.3);
  }

  @Test
  void aWorkingSetThatFits_hitsAfterItsFirstReads_withEitherPolicy() {
    List<Integer> trace = new ArrayList<>();
    for (int pass = 0; pass < 100; pass++) {
      for (int k = 0; k < 4; k++) {
        trace.add(k);
      }
    }
    assertThat(CacheTraceScenario.lruHitRate(trace, 5)).isEqualTo(0.99);
    assertThat(CacheTraceScenario.caffeineHitRate(trace, 5)).isEqualTo(0.99);
  }
}
