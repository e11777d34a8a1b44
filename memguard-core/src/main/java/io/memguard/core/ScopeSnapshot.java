package io.memguard.core;

import java.util.List;

/**
 * An immutable view of one scope and its open descendants, the per-process view of who holds what.
 * All sizes are bytes.
 *
 * @param name the scope's name
 * @param path its path from the root
 * @param limitBytes its own limit, or {@link MemoryScope#NO_LIMIT}
 * @param reservedBytes bytes reserved in it and its descendants
 * @param peakReservedBytes the highest reservedBytes seen
 * @param allocatedBytes measured thread allocations (see {@link MemoryScope#meterAllocations()})
 * @param liveReservations reservations held directly in it
 * @param children snapshots of its open children
 * @since 0.1.0
 */
public record ScopeSnapshot(
    String name,
    String path,
    long limitBytes,
    long reservedBytes,
    long peakReservedBytes,
    long allocatedBytes,
    long liveReservations,
    List<ScopeSnapshot> children) {

  /** Copies the list. */
  public ScopeSnapshot {
    children = List.copyOf(children);
  }

  /** The number of scopes in this tree, this one included. */
  public int scopeCount() {
    int count = 1;
    for (ScopeSnapshot child : children) {
      count += child.scopeCount();
    }
    return count;
  }

  /**
   * An indented text tree, one scope a line: path, reserved, peak, limit, declared vs allocated.
   */
  public String toTreeString() {
    StringBuilder sb = new StringBuilder();
    appendTo(sb, 0);
    return sb.toString();
  }

  private void appendTo(StringBuilder sb, int depth) {
    sb.append("  ".repeat(depth))
        .append(name)
        .append(": reserved ")
        .append(MemorySize.format(reservedBytes))
        .append(", peak ")
        .append(MemorySize.format(peakReservedBytes))
        .append(", limit ")
        .append(limitBytes < 0 ? "none" : MemorySize.format(limitBytes))
        .append(", allocated ")
        .append(MemorySize.format(allocatedBytes))
        .append(", ")
        .append(liveReservations)
        .append(liveReservations == 1 ? " reservation" : " reservations")
        .append('\n');
    for (ScopeSnapshot child : children) {
      child.appendTo(sb, depth + 1);
    }
  }
}
