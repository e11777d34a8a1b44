package io.memguard.monitor.internal;

import io.memguard.monitor.MemorySnapshot;
import oshi.SystemInfo;
import oshi.hardware.GlobalMemory;
import oshi.software.os.OSProcess;

/**
 * Process RSS and virtual size, host total and available memory, through one lazily created OSHI
 * {@link SystemInfo}. The first read costs a few hundred ms (OSHI loads native bindings); later
 * ones a fraction of a millisecond. When OSHI cannot start at all (no JNA for this platform) the
 * source stays unavailable for the monitor's life rather than retrying every sample. Not
 * thread-safe.
 */
final class OshiSource {
  private OSProcess process;
  private GlobalMemory global;
  private String startupFailure;

  void sample(MemorySnapshot.Builder into, OnceLogger once) {
    if (startupFailure != null) {
      into.unavailable("oshi", startupFailure);
      return;
    }
    if (global == null) {
      try {
        SystemInfo info = new SystemInfo();
        global = info.getHardware().getMemory();
        process = info.getOperatingSystem().getCurrentProcess();
      } catch (RuntimeException | LinkageError e) {
        startupFailure = "OSHI could not start: " + e;
        into.unavailable("oshi", startupFailure);
        once.warn(
            "oshi", "memguard monitor: OSHI is unavailable, so RSS and host memory are unknown", e);
        return;
      }
    }
    try {
      if (process != null && process.updateAttributes()) {
        into.process(process.getResidentMemory(), process.getVirtualSize());
      } else {
        into.unavailable("oshi-process", "OSHI could not read this process's attributes");
      }
    } catch (RuntimeException | LinkageError e) {
      into.unavailable("oshi-process", e.toString());
      once.warn("oshi-process", "memguard monitor: cannot read process memory through OSHI", e);
    }
    try {
      into.system(global.getTotal(), global.getAvailable());
    } catch (RuntimeException | LinkageError e) {
      into.unavailable("oshi-system", e.toString());
      once.warn("oshi-system", "memguard monitor: cannot read host memory through OSHI", e);
    }
  }
}
