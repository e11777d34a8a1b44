package io.memguard.autofeat.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A phase of an AutoFeat fit (PLAN, GENERATE, SELECT, MODEL) as a Flight Recorder duration event:
 * begun when the phase starts, committed when it ends (or the fit fails in it). Committed only
 * while a recording enables it. Not API: the event's name and fields are, as documented in
 * docs/operations.md.
 */
@Name("memguard.AutoFeatFitPhase")
@Label("AutoFeat Fit Phase")
@Category({"memguard", "AutoFeat"})
@Description("One phase of an AutoFeat fit, with the memory it reserved and allocated")
@StackTrace(false)
public final class FitPhaseEvent extends Event {
  @Label("Fit")
  @Description("The fit's scope path")
  public String fit;

  @Label("Phase")
  public String phase;

  @Label("Peak Reserved")
  @DataAmount
  public long peakReservedBytes;

  @Label("Allocated")
  @DataAmount
  @Description("Bytes the fit's threads allocated in the phase, -1 where the JVM does not count")
  public long allocatedBytes;

  @Label("Batches")
  public int batches;
}
