package io.memguard.jcstress;

import io.memguard.core.LeakDetection;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;

/** What every race starts from: a manager of its own, with no Cleaner to add noise. */
final class Races {
  private Races() {}

  static MemoryManager manager() {
    return MemoryManager.builder()
        .name("race")
        .limit(MemorySize.ofMebibytes(1))
        .leakDetection(LeakDetection.OFF)
        .build();
  }
}
