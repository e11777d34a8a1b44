package io.memguard.core;

import java.time.Duration;
import java.util.List;

/**
 * The result of running cleanup on demand, stage by stage. Immutable.
 *
 * @param runs every action run, in order
 * @param stagesRun the stages that were run, in order
 * @param conditionMet whether the stop condition held when the run ended (true when there was none)
 * @param duration the whole run's duration
 * @since 0.1.0
 */
public record CleanupReport(
    List<CleanupRun> runs, List<CleanupStage> stagesRun, boolean conditionMet, Duration duration) {

  /** Copies the lists. */
  public CleanupReport {
    runs = List.copyOf(runs);
    stagesRun = List.copyOf(stagesRun);
  }

  /** The sum of the bytes the actions said they released; unknown amounts count as 0. */
  public long bytesReleased() {
    long sum = 0;
    for (CleanupRun r : runs) {
      if (r.bytesReleased() > 0) {
        sum += r.bytesReleased();
      }
    }
    return sum;
  }

  /** The runs of actions that threw. */
  public List<CleanupRun> failures() {
    return runs.stream().filter(CleanupRun::failed).toList();
  }
}
