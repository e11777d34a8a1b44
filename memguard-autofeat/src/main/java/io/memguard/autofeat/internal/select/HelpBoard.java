package io.memguard.autofeat.internal.select;

import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Where parallel selection runs post their chunk fits for selection threads that have no run left
 * to start. Thread-safe.
 *
 * @param <T> the runs' chunks
 */
final class HelpBoard<T extends SharedChunks> {

  private final ArrayDeque<T> posted = new ArrayDeque<>();
  private int runsLeft;

  /**
   * A board for {@code runs} runs.
   *
   * @param runs the runs that may still post chunks
   */
  HelpBoard(int runs) {
    this.runsLeft = runs;
  }

  /** Posts a run's chunks. */
  synchronized void post(T chunks) {
    posted.add(chunks);
    notifyAll();
  }

  /** Takes a run's chunks off the board. */
  synchronized void withdraw(T chunks) {
    posted.remove(chunks);
  }

  /** A run ended (completed or failed). */
  synchronized void runEnded() {
    runsLeft--;
    notifyAll();
  }

  /** Wakes waiting helpers so they can see that the selection failed. */
  synchronized void wake() {
    notifyAll();
  }

  /**
   * Chunks a helper may claim, waiting while a run still going may post some; null once no run is
   * left or {@code stop} says so.
   */
  synchronized @Nullable T await(BooleanSupplier stop) throws InterruptedException {
    while (true) {
      posted.removeIf(c -> !c.open());
      if (stop.getAsBoolean() || (posted.isEmpty() && runsLeft <= 0)) {
        return null;
      }
      T first = posted.peek();
      if (first != null) {
        return first;
      }
      wait();
    }
  }
}
