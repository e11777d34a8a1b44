package io.memguard.monitor;

/** A sampler whose values tests set directly; it can be told to fail. */
final class ScriptedSampler implements Sampler {
  volatile long heapUsed = 100L << 20;
  volatile long heapMax = 256L << 20;
  volatile long liveSet = 80L << 20;
  volatile boolean gcHappened = true;
  volatile long rss = 300L << 20;
  volatile long systemTotal = 1L << 30;
  volatile long containerLimit = -1;
  volatile long allocated;
  volatile long gcCount;
  volatile long gcTimeMillis;
  volatile long cpuNanos;
  volatile RuntimeException failWith;
  volatile String unavailableSource;
  int calls;

  @Override
  public void sample(MemorySnapshot.Builder into) {
    calls++;
    if (failWith != null) {
      throw failWith;
    }
    into.heap(heapUsed, heapUsed, heapMax);
    into.addPool(
        new MemorySnapshot.Pool(
            "Old",
            true,
            true,
            new MemorySnapshot.Usage(liveSet, liveSet, heapMax),
            new MemorySnapshot.Usage(liveSet, liveSet, heapMax)));
    into.addCollector(new MemorySnapshot.Collector("Young", gcCount, gcTimeMillis, true));
    into.liveSet(liveSet, gcHappened);
    into.allocatedBytes(allocated);
    into.processCpuNanos(cpuNanos);
    into.process(rss, rss * 3);
    into.system(systemTotal, systemTotal / 2);
    into.container(containerLimit, containerLimit < 0 ? -1 : rss);
    if (unavailableSource != null) {
      into.unavailable(unavailableSource, "scripted failure");
    }
  }
}
