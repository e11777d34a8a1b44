package io.memguard.jcstress;

import io.memguard.core.LeakDetection;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemorySize;

/**
 * What every race starts from: a manager of its own, with no Cleaner to add noise and no live-heap
 * line (the line reads the whole JVM's live heap, which jcstress itself fills with millions of
 * states between collections: a CI run saw a 100-byte reservation refused at "245.9 MiB live"). The
 * races are about the budget's accounting; the line has its own tests in core.
 */
final class Races {
  private Races() {}

  static MemoryManager manager() {
    return MemoryManager.builder()
        .name("race")
        .limit(MemorySize.ofMebibytes(1))
        .leakDetection(LeakDetection.OFF)
        .noLiveHeapLimit()
        .build();
  }
}
