package io.memguard.monitor.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Writes heap dumps through the HotSpot diagnostic bean. Stateless, thread-safe. */
public final class HeapDumps {
  private HeapDumps() {}

  /**
   * Writes a heap dump of this JVM.
   *
   * @param file where to write; must end with {@code .hprof} and must not exist
   * @param liveOnly true to dump only reachable objects (the JVM collects first)
   * @return the absolute path written
   * @throws IllegalArgumentException if the name does not end with .hprof, or the file exists
   * @throws IOException if the dump cannot be written (no space, no permission, unsupported VM)
   */
  public static Path write(Path file, boolean liveOnly) throws IOException {
    Objects.requireNonNull(file, "file");
    Path target = file.toAbsolutePath();
    if (!target.getFileName().toString().endsWith(".hprof")) {
      throw new IllegalArgumentException("heap dump file must end with .hprof, got " + target);
    }
    if (Files.exists(target)) {
      throw new IllegalArgumentException(
          "heap dump file " + target + " already exists; choose a new name");
    }
    try {
      com.sun.management.HotSpotDiagnosticMXBean bean =
          ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      if (bean == null) {
        throw new IOException(
            "this JVM has no HotSpotDiagnosticMXBean, so it cannot write heap dumps");
      }
      bean.dumpHeap(target.toString(), liveOnly);
    } catch (UnsupportedOperationException | LinkageError e) {
      throw new IOException("this JVM cannot write heap dumps: " + e, e);
    }
    return target;
  }
}
