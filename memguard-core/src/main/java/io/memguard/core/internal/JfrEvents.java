package io.memguard.core.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.StackTrace;

/**
 * memguard-core's Flight Recorder events: a pressure change, a reservation leak and a scope closed
 * with leaked reservations. Each is committed only while a recording enables it (a disabled event
 * costs a field check). Not API: the event names and fields are, as documented in
 * docs/operations.md.
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

  /** The manager's pressure level changed. */
  @Name("memguard.PressureChange")
  @Label("Pressure Change")
  @Category({"memguard", "Memory"})
  @Description("A memory manager's pressure level changed")
  @StackTrace(false)
  public static final class PressureChange extends Event {
    @Label("Manager")
    public String manager;

    @Label("Previous Level")
    public String previous;

    @Label("Level")
    public String current;

    @Label("Source")
    @Description("What decided the level: the accounting or a pressure source's name")
    public String source;

    @Label("Utilization")
    @Percentage
    public double utilization;
  }

  /** A reservation was found leaked (by the safety net or a scope's close). */
  @Name("memguard.ReservationLeak")
  @Label("Reservation Leak")
  @Category({"memguard", "Memory"})
  @Description("Reservations were dropped or left open: their bytes went back, reported as a leak")
  @StackTrace(false)
  public static final class ReservationLeak extends Event {
    @Label("Manager")
    public String manager;

    @Label("Kind")
    public String kind;

    @Label("Scope")
    public String scopePath;

    @Label("Bytes")
    @DataAmount
    public long bytes;

    @Label("Reservations")
    public long reservations;
  }

  /** A scope closed with reservations still open. */
  @Name("memguard.ScopeClosedWithLeaks")
  @Label("Scope Closed With Leaks")
  @Category({"memguard", "Memory"})
  @Description("A scope closed while reservations in it were still open")
  @StackTrace(false)
  public static final class ScopeClosedWithLeaks extends Event {
    @Label("Scope")
    public String scopePath;

    @Label("Leaked Bytes")
    @DataAmount
    public long leakedBytes;

    @Label("Leaked Reservations")
    public long leakedReservations;

    @Label("Peak Reserved")
    @DataAmount
    public long peakReservedBytes;
  }
}
