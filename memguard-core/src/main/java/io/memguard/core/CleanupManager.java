package io.memguard.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named cleanup actions in {@link CleanupStage stages}, registered globally here or on a scope with
 * {@link MemoryScope#registerCleanup}. Scope actions run when their scope closes (children before
 * parents, last registered first). All actions, global and scoped, can also be run on demand stage
 * by stage, most expendable first, until a condition holds: that is the emergency path.
 *
 * <p>Every action runs even when others throw; each run yields a {@link CleanupRun}, and the last
 * {@code historySize} reports are kept in {@link #history()}. Thread-safe; on-demand runs are
 * serialised so two emergencies never run the same stage at once.
 *
 * @since 0.1.0
 */
public final class CleanupManager {
  private static final Logger log = LoggerFactory.getLogger(CleanupManager.class);
  static final String GLOBAL = "global";

  private final Ticker ticker;
  private final int historySize;
  private final AtomicLong sequence = new AtomicLong();
  private final ConcurrentSkipListMap<Long, Entry> entries = new ConcurrentSkipListMap<>();
  private final ArrayDeque<CleanupRun> history = new ArrayDeque<>();
  private final Object onDemandLock = new Object();

  CleanupManager(Ticker ticker, int historySize) {
    this.ticker = ticker;
    this.historySize = historySize;
  }

  /** A registered action, as listed by {@link #registered()}. */
  public record RegisteredCleanup(String name, CleanupStage stage, String scopePath) {}

  /**
   * Registers a global action; it runs only on demand ({@link #runStage}, {@link #runStagesUntil}),
   * never at a scope close. Close the returned registration to remove it.
   */
  public Registration register(String name, CleanupStage stage, CleanupAction action) {
    Entry entry = add(name, stage, action, GLOBAL);
    return () -> remove(entry);
  }

  Entry add(String name, CleanupStage stage, CleanupAction action, String scopePath) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(action, "action");
    Entry entry = new Entry(sequence.incrementAndGet(), name, stage, action, scopePath);
    entries.put(entry.seq, entry);
    return entry;
  }

  void remove(Entry entry) {
    entries.remove(entry.seq, entry);
  }

  /** Every registered action, in registration order. */
  public List<RegisteredCleanup> registered() {
    List<RegisteredCleanup> list = new ArrayList<>();
    for (Entry e : entries.values()) {
      list.add(new RegisteredCleanup(e.name, e.stage, e.scopePath));
    }
    return list;
  }

  /** Runs every action of one stage, last registered first, and reports what each did. */
  public CleanupReport runStage(CleanupStage stage) {
    Objects.requireNonNull(stage, "stage");
    synchronized (onDemandLock) {
      long start = ticker.read();
      List<CleanupRun> reports = runStageLocked(stage);
      return new CleanupReport(
          reports, List.of(stage), true, Duration.ofNanos(ticker.read() - start));
    }
  }

  /**
   * Runs stages in ascending order until {@code relieved} returns true; the condition is checked
   * before the first stage and after each. Anything the condition throws counts as "not relieved".
   *
   * @return what ran, and whether the condition held at the end
   */
  public CleanupReport runStagesUntil(BooleanSupplier relieved) {
    Objects.requireNonNull(relieved, "relieved");
    synchronized (onDemandLock) {
      long start = ticker.read();
      List<CleanupRun> reports = new ArrayList<>();
      List<CleanupStage> stagesRun = new ArrayList<>();
      boolean met = check(relieved);
      if (!met) {
        TreeSet<CleanupStage> stages = new TreeSet<>();
        entries.values().forEach(e -> stages.add(e.stage));
        for (CleanupStage stage : stages) {
          reports.addAll(runStageLocked(stage));
          stagesRun.add(stage);
          met = check(relieved);
          if (met) {
            break;
          }
        }
      }
      return new CleanupReport(reports, stagesRun, met, Duration.ofNanos(ticker.read() - start));
    }
  }

  private static boolean check(BooleanSupplier relieved) {
    try {
      return relieved.getAsBoolean();
    } catch (Throwable e) {
      log.warn("memguard: cleanup stop condition threw; treating it as not relieved", e);
      return false;
    }
  }

  private List<CleanupRun> runStageLocked(CleanupStage stage) {
    List<CleanupRun> reports = new ArrayList<>();
    for (Map.Entry<Long, Entry> e : entries.descendingMap().entrySet()) {
      if (e.getValue().stage.equals(stage)) {
        reports.add(run(e.getValue(), CleanupRun.Trigger.ON_DEMAND));
      }
    }
    return reports;
  }

  CleanupRun run(Entry entry, CleanupRun.Trigger trigger) {
    long start = ticker.read();
    CleanupRun report;
    try {
      long bytes = entry.action.run();
      report =
          new CleanupRun(
              entry.name,
              entry.stage,
              entry.scopePath,
              trigger,
              CleanupRun.Outcome.SUCCEEDED,
              Duration.ofNanos(ticker.read() - start),
              bytes < 0 ? CleanupAction.UNKNOWN_BYTES : bytes,
              null);
    } catch (Throwable t) {
      report =
          new CleanupRun(
              entry.name,
              entry.stage,
              entry.scopePath,
              trigger,
              CleanupRun.Outcome.FAILED,
              Duration.ofNanos(ticker.read() - start),
              CleanupAction.UNKNOWN_BYTES,
              t);
      log.warn(
          "memguard: cleanup action '{}' (stage {}) in '{}' failed; other actions still run",
          entry.name,
          entry.stage.name(),
          entry.scopePath,
          t);
    }
    if (log.isDebugEnabled()) {
      log.debug(
          "memguard: cleanup '{}' in '{}' {} in {} us, released {}",
          entry.name,
          entry.scopePath,
          report.outcome(),
          report.duration().toNanos() / 1000,
          report.bytesReleased() < 0 ? "unknown" : MemorySize.format(report.bytesReleased()));
    }
    record(report);
    return report;
  }

  private void record(CleanupRun report) {
    synchronized (history) {
      if (history.size() == historySize) {
        history.removeFirst();
      }
      history.addLast(report);
    }
  }

  /** The most recent reports, oldest first, at most the configured history size. */
  public List<CleanupRun> history() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }

  /** One registered action. */
  static final class Entry {
    final long seq;
    final String name;
    final CleanupStage stage;
    final CleanupAction action;
    final String scopePath;

    Entry(long seq, String name, CleanupStage stage, CleanupAction action, String scopePath) {
      this.seq = seq;
      this.name = name;
      this.stage = stage;
      this.action = action;
      this.scopePath = scopePath;
    }
  }
}
