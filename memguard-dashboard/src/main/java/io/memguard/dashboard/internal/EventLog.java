package io.memguard.dashboard.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard's recent events for its Server-Sent Events streams: a bounded log with increasing
 * ids. Appending never blocks on a reader (observers must not stall what they observe); a reader
 * waits for events after the id it has seen. Thread-safe.
 */
public final class EventLog {

  /** One event: its id, its SSE event name and its JSON data (one line). */
  public record Event(long id, String type, String data) {}

  private final int capacity;
  private final ArrayDeque<Event> events;
  private long nextId = 1;
  private long appended;
  private boolean closed;

  public EventLog(int capacity) {
    this.capacity = capacity;
    this.events = new ArrayDeque<>(capacity);
  }

  /** Appends an event and wakes the readers; drops the oldest beyond the capacity. */
  public synchronized void append(String type, String data) {
    if (closed) {
      return;
    }
    if (events.size() == capacity) {
      events.removeFirst();
    }
    events.addLast(new Event(nextId++, type, data));
    appended++;
    notifyAll();
  }

  /**
   * The events after {@code lastSeen} (all kept ones if it is older than the log), waiting up to
   * {@code timeoutMillis} for one; empty on time-out, null once closed.
   */
  public synchronized List<Event> after(long lastSeen, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!closed && (events.isEmpty() || events.peekLast().id() <= lastSeen)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return List.of();
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    if (closed) {
      return null;
    }
    List<Event> out = new ArrayList<>();
    for (Event e : events) {
      if (e.id() > lastSeen) {
        out.add(e);
      }
    }
    return out;
  }

  /** The id of the newest event, 0 if none. */
  public synchronized long lastId() {
    return nextId - 1;
  }

  /** Events appended since the log was made. */
  public synchronized long appended() {
    return appended;
  }

  /** Wakes every reader with null; later appends are ignored. Idempotent. */
  public synchronized void close() {
    closed = true;
    notifyAll();
  }
}
