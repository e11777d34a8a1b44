package io.memguard.monitor.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * memguard-monitor's Flight Recorder events: the guard's events (emergency, stop requests, cleanup
 * stages, recovery), leak reports and alerts. Committed only while a recording enables them. Not
 * API: the event names and fields are, as documented in docs/operations.md.
 */
public final class JfrEvents {
  private JfrEvents() {}

  /**
   * Whether Flight Recorder has started in this JVM. The first instance of an event class registers
   * it, which initialises JFR's metadata (about 0.1 s in a cold JVM), so events are made only when
   * a recording can take them.
   */
  public static boolean recording() {
    return FlightRecorder.isInitialized();
  }

  /** An event of the emergency guard. */
  @Name("memguard.GuardEvent")
  @Label("Guard Event")
  @Category({"memguard", "Guard"})
  @Description(
      "The emergency guard entered or left an emergency, asked a task to stop, ran a cleanup stage"
          + " or recovered")
  @StackTrace(false)
  public static final class Guard extends Event {
    @Label("Type")
    public String type;

    @Label("Level")
    public String level;

    @Label("Limit")
    @Description("The limit that decided: HEAP_LIVE, RSS, SYSTEM_AVAILABLE or NONE")
    public String limit;

    @Label("Fraction")
    @Percentage
    public double fraction;

    @Label("Task")
    public String task;

    @Label("Bytes Released")
    @DataAmount
    public long bytesReleased;

    @Label("Time In Emergency")
    @Timespan
    public long timeInEmergencyNanos;

    @Label("Message")
    public String message;
  }

  /** The leak detector reported a leak. */
  @Name("memguard.LeakReport")
  @Label("Leak Report")
  @Category({"memguard", "Leaks"})
  @Description("The live set kept growing: a leak is suspected, with its suspects")
  @StackTrace(false)
  public static final class LeakReport extends Event {
    @Label("Growth Per Minute")
    @DataAmount
    public long growthBytesPerMinute;

    @Label("P-Value")
    public double pValue;

    @Label("Live Set")
    @DataAmount
    public long liveSetBytes;

    @Label("Top Suspect")
    public String topSuspect;

    @Label("Recommendation")
    public String recommendation;
  }

  /** An alert fired, escalated or resolved. */
  @Name("memguard.Alert")
  @Label("Alert")
  @Category({"memguard", "Alerts"})
  @Description("An alert rule fired, escalated or resolved")
  @StackTrace(false)
  public static final class Alert extends Event {
    @Label("Type")
    public String type;

    @Label("Rule")
    public String rule;

    @Label("Severity")
    public String severity;

    @Label("Value")
    public double value;

    @Label("Threshold")
    public double threshold;

    @Label("Message")
    public String message;
  }
}
