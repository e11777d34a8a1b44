package io.memguard.monitor.internal;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One class histogram of the heap: instances and bytes per class, as printed by the {@code
 * GC.class_histogram} diagnostic command, taken at a monotonic time. Immutable.
 *
 * @param nanoTime when it was taken (monotonic nanoseconds)
 * @param entries per class name
 * @param totalBytes the sum of all bytes
 */
public record ClassHistogram(long nanoTime, Map<String, Entry> entries, long totalBytes) {

  /** One line of the histogram. {@code module} is null for the unnamed module. */
  public record Entry(String className, String module, long instances, long bytes) {

    /**
     * True for JDK classes, memguard's own core and monitor classes, and arrays of them: they carry
     * a leak but rarely cause it, so suspects rank them after application classes.
     */
    public boolean isPlatform() {
      if (module != null && (module.startsWith("java.") || module.startsWith("jdk."))) {
        return true;
      }
      String name = className;
      while (name.startsWith("[")) {
        name = name.substring(1);
      }
      if (name.length() == 1) {
        return true; // primitive array such as [B
      }
      if (name.startsWith("L") && name.endsWith(";")) {
        name = name.substring(1, name.length() - 1);
      }
      return name.startsWith("java.")
          || name.startsWith("javax.")
          || name.startsWith("jdk.")
          || name.startsWith("sun.")
          || name.startsWith("com.sun.")
          // memguard's own bookkeeping grows with what the application keeps open (a scope never
          // closed keeps its entries): like the JDK's, it carries a leak and rarely causes it
          || name.startsWith("io.memguard.core.")
          || name.startsWith("io.memguard.monitor.");
    }
  }

  private static final Pattern LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(?:\\s+\\(([^)]*)\\))?\\s*$");

  /** Copies the map. */
  public ClassHistogram {
    entries = Collections.unmodifiableMap(new HashMap<>(entries));
  }

  /**
   * Parses the text of {@code GC.class_histogram}; lines that are not entries (header, separator,
   * total) are skipped.
   *
   * @throws IllegalArgumentException when no entry line is found, naming the first line seen
   */
  public static ClassHistogram parse(String text, long nanoTime) {
    Map<String, Entry> entries = new HashMap<>();
    long total = 0;
    Matcher m = LINE.matcher("");
    for (String line : text.split("\n")) {
      m.reset(line);
      if (!m.matches()) {
        continue;
      }
      long instances = Long.parseLong(m.group(1));
      long bytes = Long.parseLong(m.group(2));
      String module = m.group(4);
      if (module != null) {
        int at = module.indexOf('@');
        module = at >= 0 ? module.substring(0, at) : module;
      }
      // The same name can appear twice (two class loaders); add them up.
      entries.merge(
          m.group(3),
          new Entry(m.group(3), module, instances, bytes),
          (a, b) ->
              new Entry(
                  a.className(), a.module(), a.instances() + b.instances(), a.bytes() + b.bytes()));
      total += bytes;
    }
    if (entries.isEmpty()) {
      String first = text.isEmpty() ? "<empty>" : text.split("\n", 2)[0];
      throw new IllegalArgumentException("not a class histogram; first line: " + first);
    }
    return new ClassHistogram(nanoTime, entries, total);
  }
}
