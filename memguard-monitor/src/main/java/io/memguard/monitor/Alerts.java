package io.memguard.monitor;

import io.memguard.core.Registration;
import io.memguard.monitor.internal.Dispatcher;
import io.memguard.monitor.internal.JfrEvents;
import io.memguard.monitor.internal.OnceLogger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's alert engine: evaluates {@link AlertRule}s on every snapshot and on the leak
 * detector's verdict, keeps at most one open {@link Alert} per rule, escalates alerts that stay
 * open, and sends every {@link AlertEvent} to listeners and channels, and into a bounded history.
 *
 * <p>Delivery never blocks sampling: listeners share one notification thread, each channel has its
 * own, all with bounded queues; when a queue is full the event is dropped for that consumer and
 * counted in {@link #channelStats()}. Thread-safe.
 *
 * @since 0.1.0
 */
public final class Alerts {
  private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
  static final String LISTENERS = "listeners";

  /**
   * Delivery figures of one channel (or of the listeners, under the name {@value #LISTENERS}).
   *
   * @param name the channel's name
   * @param minSeverity the least severity it receives
   * @param fromEscalationLevel the least escalation level it receives
   * @param delivered events delivered
   * @param failed deliveries that threw
   * @param dropped events dropped because its queue was full
   * @param queued events waiting now
   */
  public record ChannelStats(
      String name,
      Severity minSeverity,
      int fromEscalationLevel,
      long delivered,
      long failed,
      long dropped,
      int queued) {}

  private final class Route {
    final AlertChannel channel;
    final Severity minSeverity;
    final int fromLevel;
    final Dispatcher dispatcher;

    Route(AlertChannel channel, Severity minSeverity, int fromLevel, Dispatcher dispatcher) {
      this.channel = channel;
      this.minSeverity = minSeverity;
      this.fromLevel = fromLevel;
      this.dispatcher = dispatcher;
    }

    boolean wants(Alert a) {
      return a.severity().isAtLeast(minSeverity) && a.escalationLevel() >= fromLevel;
    }
  }

  private static final class RuleState {
    final AlertRule rule;
    long breachSince = Long.MIN_VALUE;
    long clearSince = Long.MIN_VALUE;
    long lastEscalation;
    Alert open;

    RuleState(AlertRule rule) {
      this.rule = rule;
    }
  }

  private final int historyCapacity;
  private final Function<String, Dispatcher> dispatchers;
  private final OnceLogger once = new OnceLogger(LOG);
  private final List<RuleState> rules = new CopyOnWriteArrayList<>();
  private final List<Route> routes = new CopyOnWriteArrayList<>();
  private final List<AlertListener> listeners = new CopyOnWriteArrayList<>();
  private final Dispatcher listenerDispatcher;
  private final Deque<AlertEvent> history = new ArrayDeque<>();
  private long nextId = 1;
  private Instant lastTime;
  private volatile boolean closed;

  Alerts(int historyCapacity, Function<String, Dispatcher> dispatchers) {
    if (historyCapacity < 1) {
      throw new IllegalArgumentException(
          "alert history must hold at least 1 event, got " + historyCapacity);
    }
    this.historyCapacity = historyCapacity;
    this.dispatchers = dispatchers;
    this.listenerDispatcher = dispatchers.apply("memguard-monitor-alert-listeners");
  }

  /**
   * Adds a rule; close the handle to remove it (an open alert of the rule is dropped silently).
   *
   * @throws IllegalArgumentException if a rule with the same name exists
   */
  public synchronized Registration addRule(AlertRule rule) {
    Objects.requireNonNull(rule, "rule");
    for (RuleState s : rules) {
      if (s.rule.name().equals(rule.name())) {
        throw new IllegalArgumentException(
            "an alert rule named '"
                + rule.name()
                + "' exists already; "
                + "remove it first or choose another name");
      }
    }
    RuleState state = new RuleState(rule);
    rules.add(state);
    return () -> rules.remove(state);
  }

  /** The rules, in the order added. */
  public List<AlertRule> rules() {
    List<AlertRule> out = new ArrayList<>();
    for (RuleState s : rules) {
      out.add(s.rule);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Registers a listener for every alert event; close the handle to remove it.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  public Registration addListener(AlertListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return Registration.once(() -> listeners.remove(listener));
  }

  /** Adds a channel that receives alerts of at least {@code minSeverity}; see the next overload. */
  public Registration addChannel(AlertChannel channel, Severity minSeverity) {
    return addChannel(channel, minSeverity, 0);
  }

  /**
   * Adds a channel that receives events of alerts with at least {@code minSeverity} and at least
   * {@code fromEscalationLevel} escalations: level 0 for first responders, 1 for "if nobody reacted
   * after one escalation period", and so on. Resolutions reach every channel that saw the alert.
   * The channel gets its own daemon thread and bounded queue; close the handle to remove it.
   *
   * @throws IllegalArgumentException if {@code fromEscalationLevel} is negative
   */
  public Registration addChannel(
      AlertChannel channel, Severity minSeverity, int fromEscalationLevel) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(minSeverity, "minSeverity");
    if (fromEscalationLevel < 0) {
      throw new IllegalArgumentException(
          "fromEscalationLevel must not be negative, got " + fromEscalationLevel);
    }
    if (closed) {
      throw new IllegalStateException("the monitor is closed; channels cannot be added");
    }
    Dispatcher d =
        dispatchers.apply(
            "memguard-monitor-alerts-" + channel.name().replaceAll("[^A-Za-z0-9.:_-]", "_"));
    Route route = new Route(channel, minSeverity, fromEscalationLevel, d);
    routes.add(route);
    return () -> {
      if (routes.remove(route)) {
        d.close();
      }
    };
  }

  /** Open alerts, oldest first. */
  public synchronized List<Alert> active() {
    List<Alert> out = new ArrayList<>();
    for (RuleState s : rules) {
      if (s.open != null) {
        out.add(s.open);
      }
    }
    out.sort((a, b) -> Long.compare(a.id(), b.id()));
    return Collections.unmodifiableList(out);
  }

  /** Every event kept (the last {@link MonitorConfig#alertHistorySize()}), oldest first. */
  public synchronized List<AlertEvent> history() {
    return List.copyOf(history);
  }

  /** The events of the last {@code window} before the latest evaluation, oldest first. */
  public synchronized List<AlertEvent> history(Duration window) {
    Objects.requireNonNull(window, "window");
    if (lastTime == null) {
      return List.of();
    }
    Instant from = lastTime.minus(window);
    List<AlertEvent> out = new ArrayList<>();
    for (AlertEvent e : history) {
      if (!e.time().isBefore(from)) {
        out.add(e);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** Delivery figures per channel, the listeners first. */
  public List<ChannelStats> channelStats() {
    List<ChannelStats> out = new ArrayList<>();
    out.add(stats(LISTENERS, Severity.INFO, 0, listenerDispatcher));
    for (Route r : routes) {
      out.add(stats(r.channel.name(), r.minSeverity, r.fromLevel, r.dispatcher));
    }
    return Collections.unmodifiableList(out);
  }

  private static ChannelStats stats(String name, Severity min, int level, Dispatcher d) {
    return new ChannelStats(name, min, level, d.completed(), d.failed(), d.dropped(), d.queued());
  }

  /** Events dropped across the listeners and all channels. */
  public long droppedEvents() {
    long sum = listenerDispatcher.dropped();
    for (Route r : routes) {
      sum += r.dispatcher.dropped();
    }
    return sum;
  }

  /** Evaluates every rule on one snapshot and the detector's verdict. Called by the sampler. */
  void evaluate(MemorySnapshot s, LeakStatus leak, LeakReport latestLeak) {
    if (closed) {
      return;
    }
    List<AlertEvent> events = new ArrayList<>(2);
    synchronized (this) {
      lastTime = s.time();
      for (RuleState state : rules) {
        try {
          step(state, s, leak, latestLeak, events);
        } catch (RuntimeException e) {
          once.warn(
              "rule " + state.rule.name(),
              "memguard monitor: alert rule '"
                  + state.rule.name()
                  + "' failed to evaluate; it is skipped this time",
              e);
        }
      }
      for (AlertEvent e : events) {
        if (history.size() == historyCapacity) {
          history.removeFirst();
        }
        history.addLast(e);
      }
    }
    for (AlertEvent e : events) {
      publish(e);
    }
  }

  private void step(
      RuleState st,
      MemorySnapshot s,
      LeakStatus leak,
      LeakReport latestLeak,
      List<AlertEvent> out) {
    AlertRule rule = st.rule;
    double value =
        rule.isLeakRule()
            ? (leak != null && leak.state() == LeakStatus.State.LEAK ? 1 : 0)
            : rule.metric().valueOf(s);
    if (Double.isNaN(value)) {
      return;
    }
    long now = s.nanoTime();
    if (st.open == null) {
      if (rule.breached(value)) {
        if (st.breachSince == Long.MIN_VALUE) {
          st.breachSince = now;
        }
        if (now - st.breachSince >= rule.forAtLeast().toNanos()) {
          Alert a =
              new Alert(
                  nextId++,
                  rule.name(),
                  rule.signalName(),
                  rule.severity(),
                  0,
                  value,
                  value,
                  rule.threshold(),
                  firedMessage(rule, value, now - st.breachSince, latestLeak),
                  s.time(),
                  s.time(),
                  null);
          st.open = a;
          st.lastEscalation = now;
          st.clearSince = Long.MIN_VALUE;
          out.add(new AlertEvent(AlertEvent.Type.FIRED, s.time(), a));
        }
      } else {
        st.breachSince = Long.MIN_VALUE;
      }
      return;
    }
    Alert a = st.open;
    double peak = rule.above() ? Math.max(a.peakValue(), value) : Math.min(a.peakValue(), value);
    if (rule.cleared(value)) {
      if (st.clearSince == Long.MIN_VALUE) {
        st.clearSince = now;
      }
      if (now - st.clearSince >= rule.clearAfter().toNanos()) {
        Alert resolved =
            new Alert(
                a.id(),
                a.rule(),
                a.signal(),
                a.severity(),
                a.escalationLevel(),
                value,
                peak,
                a.threshold(),
                resolvedMessage(rule, value, Duration.between(a.firedAt(), s.time())),
                a.firedAt(),
                s.time(),
                s.time());
        st.open = null;
        st.breachSince = Long.MIN_VALUE;
        st.clearSince = Long.MIN_VALUE;
        out.add(new AlertEvent(AlertEvent.Type.RESOLVED, s.time(), resolved));
        return;
      }
    } else {
      st.clearSince = Long.MIN_VALUE;
    }
    Duration every = rule.escalateAfter();
    if (every != null
        && st.clearSince == Long.MIN_VALUE // not while the value waits out its clearing
        && a.escalationLevel() < rule.maxEscalations()
        && now - st.lastEscalation >= every.toNanos()) {
      Severity next =
          a.severity().compareTo(rule.maxSeverity()) < 0 ? a.severity().next() : a.severity();
      Alert escalated =
          new Alert(
              a.id(),
              a.rule(),
              a.signal(),
              next,
              a.escalationLevel() + 1,
              value,
              peak,
              a.threshold(),
              a.message().replaceFirst(" \\[unresolved for .*\\]$", "")
                  + " [unresolved for "
                  + Format.duration(Duration.between(a.firedAt(), s.time()))
                  + "]",
              a.firedAt(),
              s.time(),
              null);
      st.open = escalated;
      st.lastEscalation = now;
      out.add(new AlertEvent(AlertEvent.Type.ESCALATED, s.time(), escalated));
      return;
    }
    st.open =
        new Alert(
            a.id(),
            a.rule(),
            a.signal(),
            a.severity(),
            a.escalationLevel(),
            value,
            peak,
            a.threshold(),
            a.message(),
            a.firedAt(),
            a.updatedAt(),
            null);
  }

  private void publish(AlertEvent e) {
    JfrEvents.Alert jfr = JfrEvents.recording() ? new JfrEvents.Alert() : null;
    if (jfr != null && jfr.shouldCommit()) {
      jfr.type = e.type().name();
      jfr.rule = e.alert().rule();
      jfr.severity = e.alert().severity().name();
      jfr.value = e.alert().value();
      jfr.threshold = e.alert().threshold();
      jfr.message = e.alert().message();
      jfr.commit();
    }
    if (!listeners.isEmpty()) {
      listenerDispatcher.submit(
          "alert listeners",
          () -> {
            for (AlertListener l : listeners) {
              try {
                l.onAlert(e);
              } catch (Throwable ex) { // the next listeners still hear of it
                once.warn(
                    "listener " + l.getClass().getName(),
                    "memguard monitor: alert listener "
                        + l.getClass().getName()
                        + " threw; it stays registered",
                    ex);
              }
            }
          });
    }
    for (Route r : routes) {
      if (r.wants(e.alert())) {
        r.dispatcher.submit(
            "alert channel " + r.channel.name(),
            () -> {
              try {
                r.channel.deliver(e);
              } catch (RuntimeException ex) {
                throw ex;
              } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                    "interrupted while delivering to " + r.channel.name(), ex);
              } catch (Exception ex) {
                throw new IllegalStateException(
                    "delivery to alert channel " + r.channel.name() + " failed: " + ex, ex);
              }
            });
      }
    }
  }

  static String format(Metric metric, double v) {
    if (metric == null) {
      return Format.number(v);
    }
    return switch (metric.unit()) {
      case Metric.BYTES -> Format.bytes(v);
      case Metric.BYTES_PER_SECOND -> Format.bytes(v) + "/s";
      case Metric.FRACTION -> Format.percent(v);
      case Metric.NANOSECONDS -> Format.duration(Duration.ofNanos((long) v));
      default -> Format.number(v);
    };
  }

  private static String firedMessage(
      AlertRule rule, double value, long heldNanos, LeakReport leak) {
    if (rule.isLeakRule()) {
      if (leak == null) {
        return "memory leak suspected: the live heap keeps growing";
      }
      StringBuilder sb =
          new StringBuilder("memory leak suspected: the live heap grows ")
              .append(Format.bytes(Math.max(0, leak.growthBytesPerMinute())))
              .append("/min");
      leak.timeToExhaustion().ifPresent(d -> sb.append(", full in ").append(Format.duration(d)));
      leak.topSuspect().ifPresent(t -> sb.append("; top suspect: ").append(LeakReport.describe(t)));
      return sb.toString();
    }
    String msg =
        rule.signalName()
            + " is "
            + format(rule.metric(), value)
            + " ("
            + (rule.above() ? ">= " : "<= ")
            + format(rule.metric(), rule.threshold())
            + (heldNanos > 0 ? " for " + Format.duration(Duration.ofNanos(heldNanos)) : "")
            + ")";
    return rule.description().isEmpty() ? msg : msg + ": " + rule.description();
  }

  private static String resolvedMessage(AlertRule rule, double value, Duration open) {
    if (rule.isLeakRule()) {
      return "the live heap stopped growing; leak alert open for " + Format.duration(open);
    }
    return rule.signalName()
        + " is back to "
        + format(rule.metric(), value)
        + " (clears "
        + (rule.above() ? "< " : "> ")
        + format(rule.metric(), rule.clearThreshold())
        + "); open for "
        + Format.duration(open);
  }

  /** Stops delivery; lets queued events go out for up to a second per dispatcher. Idempotent. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    listenerDispatcher.close();
    for (Route r : routes) {
      r.dispatcher.close(); // the routes stay, so their figures remain readable
    }
    listeners.clear();
  }
}
