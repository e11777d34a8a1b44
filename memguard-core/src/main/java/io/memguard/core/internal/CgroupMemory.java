package io.memguard.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the memory limit and usage of the control group this process runs in, from the cgroup file
 * system: cgroup v2 ({@code memory.max}, {@code memory.current}) or v1 ({@code
 * memory/memory.limit_in_bytes}, {@code memory/memory.usage_in_bytes}). OSHI does not read these,
 * and its "available memory" is host-wide.
 *
 * <p>The cgroup directory is resolved once, from {@code /proc/self/cgroup} relative to an
 * injectable root (default {@code /sys/fs/cgroup}); when that directory does not exist (a container
 * that mounts its own cgroup at the root) the root itself is used. The effective limit is the
 * smallest limit of the directory and its ancestors up to the root; "max" and v1's near-{@code
 * Long.MAX_VALUE} sentinel mean no limit. Thread-safe (immutable after construction).
 */
public final class CgroupMemory {
  /** v1 reports "unlimited" as a page-rounded Long.MAX_VALUE; anything this large is no limit. */
  static final long UNLIMITED_THRESHOLD = 1L << 60;

  /** Which cgroup version was found. */
  public enum Version {
    /** cgroup v1: a {@code memory} controller hierarchy. */
    V1,
    /** cgroup v2: the unified hierarchy. */
    V2,
    /** No cgroup file system found. */
    NONE
  }

  /**
   * One reading: limit and usage in bytes, -1 when absent or unlimited, and the inactive file cache
   * within the usage ({@code inactive_file} of {@code memory.stat}; v1 {@code
   * total_inactive_file}), -1 when unknown.
   */
  public record Reading(Version version, long limitBytes, long usageBytes, long inactiveFileBytes) {

    /** A reading without the cache figure. */
    public Reading(Version version, long limitBytes, long usageBytes) {
      this(version, limitBytes, usageBytes, -1);
    }

    /**
     * The usage less the inactive file cache, which the kernel reclaims before it runs out of
     * memory (the working set, as the kubelet counts it); the usage when the cache is unknown, -1
     * when the usage is.
     */
    public long workingSetBytes() {
      if (usageBytes < 0) {
        return -1;
      }
      return Math.max(0, usageBytes - Math.max(0, inactiveFileBytes));
    }
  }

  private final Version version;
  private final Path root;
  private final Path dir;
  private final String limitFile;
  private final String usageFile;

  private CgroupMemory(Version version, Path root, Path dir) {
    this.version = version;
    this.root = root;
    this.dir = dir;
    this.limitFile = version == Version.V2 ? "memory.max" : "memory.limit_in_bytes";
    this.usageFile = version == Version.V2 ? "memory.current" : "memory.usage_in_bytes";
  }

  /** The process's own cgroup under {@code /sys/fs/cgroup}. */
  public static CgroupMemory detect() {
    return detect(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"));
  }

  /**
   * Resolves the cgroup directory under {@code root} using the membership file {@code procCgroup}
   * (the format of {@code /proc/self/cgroup}). Never throws: when nothing is found the version is
   * {@link Version#NONE} and every reading is -1.
   */
  public static CgroupMemory detect(Path root, Path procCgroup) {
    String membership = readOrNull(procCgroup);
    if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
      String rel = relativePath(membership, true);
      return new CgroupMemory(Version.V2, root, existingOr(root, rel));
    }
    Path v1 = root.resolve("memory");
    if (Files.isDirectory(v1)) {
      String rel = relativePath(membership, false);
      return new CgroupMemory(Version.V1, v1, existingOr(v1, rel));
    }
    return new CgroupMemory(Version.NONE, root, root);
  }

  /** The version found. */
  public Version version() {
    return version;
  }

  /** The directory read for usage. */
  public Path directory() {
    return dir;
  }

  /**
   * Reads limit and usage now.
   *
   * @throws IOException when the files exist but cannot be read or parsed (the caller reports the
   *     source as unavailable)
   */
  public Reading read() throws IOException {
    if (version == Version.NONE) {
      return new Reading(Version.NONE, -1, -1);
    }
    long limit = -1;
    for (Path p = dir; p != null && p.startsWith(root); p = p.getParent()) {
      long l = readValue(p.resolve(limitFile));
      if (l >= 0 && (limit < 0 || l < limit)) {
        limit = l;
      }
      if (p.equals(root)) {
        break;
      }
    }
    long usage = readValue(dir.resolve(usageFile));
    long inactiveFile =
        statValue(
            dir.resolve("memory.stat"),
            version == Version.V2 ? "inactive_file" : "total_inactive_file");
    return new Reading(version, limit, usage, inactiveFile);
  }

  /** One key's value in a {@code memory.stat} file, -1 when the file or the key is missing. */
  static long statValue(Path file, String key) throws IOException {
    java.util.List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return -1;
    }
    for (String line : lines) {
      if (line.startsWith(key)
          && line.length() > key.length()
          && line.charAt(key.length()) == ' ') {
        String value = line.substring(key.length() + 1).trim();
        try {
          return Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new IOException("cannot parse '" + line + "' in " + file, e);
        }
      }
    }
    return -1;
  }

  /** A limit or usage file: bytes, or -1 for "max", the v1 sentinel, or a missing file. */
  static long readValue(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      return -1;
    }
    if (text.isEmpty() || text.equals("max")) {
      return -1;
    }
    try {
      long value = Long.parseLong(text);
      return value >= UNLIMITED_THRESHOLD ? -1 : value;
    } catch (NumberFormatException e) {
      throw new IOException("cannot parse '" + text + "' in " + file, e);
    }
  }

  /** The path of this process's cgroup from the membership text, or "" when unknown. */
  static String relativePath(String membership, boolean v2) {
    if (membership == null) {
      return "";
    }
    for (String line : membership.split("\n")) {
      String[] parts = line.trim().split(":", 3);
      if (parts.length < 3) {
        continue;
      }
      boolean match;
      if (v2) {
        match = parts[0].equals("0") && parts[1].isEmpty();
      } else {
        match = false;
        for (String controller : parts[1].split(",")) {
          match |= controller.equals("memory");
        }
      }
      if (match) {
        String path = parts[2];
        while (path.startsWith("/")) {
          path = path.substring(1);
        }
        return path;
      }
    }
    return "";
  }

  private static Path existingOr(Path base, String rel) {
    if (!rel.isEmpty()) {
      Path candidate = base.resolve(rel).normalize();
      if (candidate.startsWith(base) && Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return base;
  }

  private static String readOrNull(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "cgroup " + version + " at " + dir;
  }
}
