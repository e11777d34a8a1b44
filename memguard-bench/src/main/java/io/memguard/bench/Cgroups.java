package io.memguard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Child memory cgroups for the {@code verify} scenario's system-limit checks: made under this
 * process's own memory cgroup (v1 or v2), with a memory limit and no swap where the files allow,
 * and removed on close. Making one needs write access to the cgroup file system (root in most
 * containers); where that fails, {@link #create} throws and the check says so.
 */
final class Cgroups {
  private Cgroups() {}

  /** A child cgroup with a memory limit. Closing removes it (once its processes have ended). */
  static final class Group implements AutoCloseable {
    private final Path dir;
    private final String version;
    private final long limitBytes;
    private final boolean swapLimited;

    private Group(Path dir, String version, long limitBytes, boolean swapLimited) {
      this.dir = dir;
      this.version = version;
      this.limitBytes = limitBytes;
      this.swapLimited = swapLimited;
    }

    /** The command prefix that runs a command inside this group. */
    List<String> wrapper() {
      return List.of(
          "/bin/sh", "-c", "echo $$ > '" + dir.resolve("cgroup.procs") + "' && exec \"$@\"", "sh");
    }

    String describe() {
      return version
          + " "
          + dir
          + ", limit "
          + (limitBytes >> 20)
          + " MiB"
          + (swapLimited ? ", no swap" : ", swap not limited (no swap accounting)");
    }

    @Override
    public void close() {
      try {
        Files.deleteIfExists(dir);
      } catch (IOException ignored) {
        // its processes may still be ending; the kernel keeps an empty group harmlessly
      }
    }
  }

  /**
   * Makes {@code name} under this process's memory cgroup with {@code limitBytes}.
   *
   * @throws IOException when no memory cgroup can be made here, saying why
   */
  static Group create(String name, long limitBytes) throws IOException {
    Path procSelf = Path.of("/proc/self/cgroup");
    if (!Files.isReadable(procSelf)) {
      throw new IOException("no /proc/self/cgroup (not Linux?)");
    }
    String v1Path = null;
    String v2Path = null;
    for (String line : Files.readAllLines(procSelf, StandardCharsets.UTF_8)) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      if (List.of(f[1].split(",")).contains("memory")) {
        v1Path = f[2];
      } else if (f[0].equals("0") && f[1].isEmpty()) {
        v2Path = f[2];
      }
    }
    Path v1Root = Path.of("/sys/fs/cgroup/memory");
    if (v1Path != null && Files.isDirectory(v1Root)) {
      Path dir = v1Root.resolve(v1Path.replaceFirst("^/", "")).resolve(name);
      Files.createDirectories(dir);
      try {
        write(dir.resolve("memory.limit_in_bytes"), limitBytes);
      } catch (IOException e) {
        Files.deleteIfExists(dir);
        throw e;
      }
      boolean noSwap = tryWrite(dir.resolve("memory.memsw.limit_in_bytes"), limitBytes);
      return new Group(dir, "cgroup v1", limitBytes, noSwap);
    }
    Path v2Root = Path.of("/sys/fs/cgroup");
    if (v2Path != null && Files.isRegularFile(v2Root.resolve("cgroup.controllers"))) {
      Path parent = v2Root.resolve(v2Path.replaceFirst("^/", ""));
      tryWrite(parent.resolve("cgroup.subtree_control"), "+memory");
      Path dir = parent.resolve(name);
      Files.createDirectories(dir);
      if (!Files.exists(dir.resolve("memory.max"))) {
        Files.deleteIfExists(dir);
        throw new IOException(
            "the memory controller is not enabled for children of " + parent + " (cgroup v2)");
      }
      try {
        write(dir.resolve("memory.max"), limitBytes);
      } catch (IOException e) {
        Files.deleteIfExists(dir);
        throw e;
      }
      boolean noSwap = tryWrite(dir.resolve("memory.swap.max"), "0");
      return new Group(dir, "cgroup v2", limitBytes, noSwap);
    }
    throw new IOException("no memory cgroup found in /proc/self/cgroup");
  }

  private static void write(Path file, long value) throws IOException {
    Files.writeString(file, Long.toString(value), StandardCharsets.US_ASCII);
  }

  private static boolean tryWrite(Path file, Object value) {
    try {
      Files.writeString(file, value.toString(), StandardCharsets.US_ASCII);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
