package io.memguard.core;

import java.util.List;

/**
 * Reservations that were not released by their owner; memguard released them. Immutable.
 *
 * @param kind how the leak was found
 * @param scopePath the scope the bytes were reserved in
 * @param bytes the bytes memguard released on the owner's behalf
 * @param reservations how many reservations they were
 * @param allocationSites where they were created, when {@link LeakDetection#TRACK_SITES} is on (one
 *     throwable per reservation, its stack trace the creation site); otherwise empty
 * @since 0.1.0
 */
public record ReservationLeak(
    Kind kind, String scopePath, long bytes, long reservations, List<Throwable> allocationSites) {

  /** Copies the list. */
  public ReservationLeak {
    allocationSites = List.copyOf(allocationSites);
  }

  /** How a leak was found. */
  public enum Kind {
    /** The scope closed while the reservations were still held. */
    NOT_RELEASED_AT_CLOSE,
    /** The reservation became unreachable without being released (the Cleaner safety net). */
    COLLECTED_WITHOUT_RELEASE
  }

  /** A sentence a person can act on. */
  public String describe() {
    String what =
        reservations
            + (reservations == 1 ? " reservation" : " reservations")
            + " ("
            + MemorySize.format(bytes)
            + ") in scope '"
            + scopePath
            + "'";
    String them = reservations == 1 ? "it" : "them";
    String how =
        kind == Kind.NOT_RELEASED_AT_CLOSE
            ? (reservations == 1 ? " was" : " were")
                + " still held when the scope closed; memguard"
                + " released "
                + them
                + "."
            : " became unreachable without being released; memguard released " + them + ".";
    String hint =
        allocationSites.isEmpty()
            ? " Release reservations with try-with-resources; run with -D"
                + LeakDetection.PROPERTY
                + "=track-sites to see where "
                + (reservations == 1 ? "it was" : "they were")
                + " made."
            : " See the allocation sites for where "
                + (reservations == 1 ? "it was" : "they were")
                + " made.";
    return what + how + hint;
  }
}
