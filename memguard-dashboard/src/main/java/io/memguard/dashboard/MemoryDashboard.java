package io.memguard.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.memguard.autofeat.FitListener;
import io.memguard.core.MemoryManager;
import io.memguard.core.Protection;
import io.memguard.core.Registration;
import io.memguard.core.Rollout;
import io.memguard.dashboard.internal.EventLog;
import io.memguard.dashboard.internal.FitBoard;
import io.memguard.dashboard.internal.Json;
import io.memguard.dashboard.internal.Prometheus;
import io.memguard.dashboard.internal.Views;
import io.memguard.monitor.AlertEvent;
import io.memguard.monitor.EmergencyGuard;
import io.memguard.monitor.LeakListener;
import io.memguard.monitor.LeakReport;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MemorySnapshot;
import io.memguard.monitor.Metric;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live dashboard over a {@link MemoryMonitor}: one self-contained page (no external resources), a
 * JSON API, a Server-Sent Events stream and Prometheus metrics, served by the JDK's HTTP server.
 * Start it next to the monitor and close it with it:
 *
 * <pre>{@code
 * try (MemoryMonitor monitor = MemoryMonitor.start(manager);
 *     MemoryDashboard dashboard = MemoryDashboard.start(monitor, DashboardConfig.ofDefaults())) {
 *   System.err.println("memguard dashboard: " + dashboard.url());
 *   processor.toBuilder().listener(dashboard.fitListener("nightly features"))...
 * }
 * }</pre>
 *
 * <p>Paths (GET; POST only for the rollout switch): {@code /} the page; {@code /api/snapshot} the
 * latest sample with trends and times to exhaustion; {@code
 * /api/history?metrics=heap.used,heap.live&window=600&step=5} series (window and step in seconds,
 * mean per step); {@code /api/scopes} the scope tree; {@code /api/tasks} the allocator's tasks,
 * outcomes and batch decisions; {@code /api/fits} AutoFeat fits fed by {@link #fitListener}; {@code
 * /api/leaks}; {@code /api/alerts}; {@code /api/guard}; {@code /api/events} the event stream
 * ({@code sample}, {@code alert}, {@code leak}, {@code guard}, {@code pressure}, {@code fit},
 * {@code rollout}, {@code external}; {@code Last-Event-ID} resumes, and an id beyond this
 * dashboard's own replays what it holds); {@code /api/rollout} the protections' modes, switched by
 * POST with the token; {@code /metrics} Prometheus' text format. Other paths are 404, other methods
 * 405, and with a token a request without it 401.
 *
 * <p>Binds to 127.0.0.1 by default; another address needs {@link DashboardConfig#token()}. The
 * dashboard reads, but for the rollout switch: its listeners append to a bounded event log and
 * never block or throw into the monitor. Memory: the event log ({@link
 * DashboardConfig#eventBuffer()} events of a few hundred bytes), 100 guard events, 50 finished
 * fits, and per request the response being written. Thread-safe; {@link #close()} stops the server,
 * ends the streams and unregisters the listeners, and is idempotent.
 *
 * @since 0.1.0
 */
public final class MemoryDashboard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MemoryDashboard.class);
  private static final int GUARD_EVENTS_KEPT = 100;
  private static final long KEEPALIVE_MILLIS = 15_000;
  private static final String NODELAY = "sun.net.httpserver.nodelay";
  private static final List<String> PATHS =
      List.of(
          "/",
          "/api/snapshot",
          "/api/history",
          "/api/scopes",
          "/api/tasks",
          "/api/fits",
          "/api/leaks",
          "/api/alerts",
          "/api/guard",
          "/api/events",
          "/api/rollout",
          "/metrics");

  private final MemoryMonitor monitor;
  private final MemoryManager manager;
  private final DashboardConfig config;
  private final @Nullable EmergencyGuard guard;
  private final double emergency;
  private final HttpServer server;
  private final ExecutorService executor;
  private final EventLog events;
  private final FitBoard fits;
  private final Semaphore streamSlots;
  private final byte[] page;
  private final List<Registration> registrations = new ArrayList<>();
  private final ArrayDeque<String> guardEvents = new ArrayDeque<>();
  private final AtomicLong alertsFired = new AtomicLong();
  private final AtomicLong leakReports = new AtomicLong();
  private final AtomicLong guardEventCount = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger openStreams = new AtomicInteger();
  private final long startNanos = System.nanoTime();
  private final URI url;
  private volatile boolean closed;

  private MemoryDashboard(MemoryMonitor monitor, DashboardConfig config) throws IOException {
    this.monitor = monitor;
    this.manager = monitor.manager();
    this.config = config;
    this.guard = monitor.emergencyGuard().orElse(null);
    this.emergency = guard != null ? guard.config().emergency() : manager.pressureThresholds()[2];
    this.events = new EventLog(config.eventBuffer());
    this.fits = new FitBoard(events, manager.ticker());
    this.streamSlots = new Semaphore(config.maxStreams());
    this.page = readPage();
    InetAddress address = InetAddress.getByName(config.bindAddress());
    if (!address.isLoopbackAddress() && config.token() == null) {
      throw new IllegalArgumentException(
          "the dashboard would bind to "
              + address.getHostAddress()
              + ", which is not a loopback address, without a token: anyone who reaches it could"
              + " read the figures. Set DashboardConfig.builder().token(...) (at least 16"
              + " characters); every request must then carry it.");
    }
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            config.maxStreams() + 4,
            r -> {
              Thread t = new Thread(r, "memguard-dashboard-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    if (System.getProperty(NODELAY) == null) {
      // The JDK's server writes a response's headers and body apart; with Nagle's algorithm on
      // and the client's delayed ACK every answer waited 40 ms (measured: 44 ms a /metrics scrape
      // on one keep-alive connection, 0.4 ms with TCP_NODELAY). The server reads the property
      // once, when the first one in the JVM starts; an explicit setting is left alone.
      System.setProperty(NODELAY, "true");
    }
    this.server = HttpServer.create(new InetSocketAddress(address, config.port()), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    String host = address.getHostAddress();
    if (address instanceof Inet6Address) {
      host = "[" + host + "]";
    }
    this.url = URI.create("http://" + host + ":" + server.getAddress().getPort() + "/");
    listen();
  }

  /** Starts a dashboard with the defaults ({@link DashboardConfig#ofDefaults()}). */
  public static MemoryDashboard start(MemoryMonitor monitor) {
    return start(monitor, DashboardConfig.ofDefaults());
  }

  /**
   * Starts serving {@code monitor}'s figures as {@code config} says.
   *
   * @throws IllegalArgumentException if the address is not loopback and no token is set, or it
   *     cannot be resolved
   * @throws UncheckedIOException if the server cannot bind (the port is taken, for example)
   */
  public static MemoryDashboard start(MemoryMonitor monitor, DashboardConfig config) {
    Objects.requireNonNull(monitor, "monitor");
    Objects.requireNonNull(config, "config");
    try {
      MemoryDashboard d = new MemoryDashboard(monitor, config);
      log.info("memguard: dashboard for '{}' at {}", d.manager.name(), d.url);
      return d;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(
          "the dashboard cannot resolve its bind address '" + config.bindAddress() + "'", e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the dashboard cannot bind to "
              + config.bindAddress()
              + ":"
              + config.port()
              + " ("
              + e.getMessage()
              + "); choose another port, or 0 for any free one",
          e);
    }
  }

  /** The page's address, e.g. {@code http://127.0.0.1:40123/} (without the token). */
  public URI url() {
    return url;
  }

  /** The port the server listens on. */
  public int port() {
    return url.getPort();
  }

  /** The configuration it was started with. */
  public DashboardConfig config() {
    return config;
  }

  /**
   * A listener that shows one AutoFeat fit on the dashboard (phase, step, batch, plan, lightweight
   * switches, outcome); give it to the fit's {@code AutoFeatProcessor.Builder.listener}. The fit
   * appears as running at once. A listener is for one fit.
   */
  public FitListener fitListener(String fitName) {
    Objects.requireNonNull(fitName, "fitName");
    return fits.listener(fitName);
  }

  /** Requests answered since the start. */
  public long requests() {
    return requests.get();
  }

  /** Event streams open now. */
  public int openStreams() {
    return openStreams.get();
  }

  /**
   * Publishes an event from elsewhere (another JVM's monitor, for example a Spark executor's
   * through memguard-spark's {@code MemguardSparkPlugin.addDriverListener}) on the page's event log
   * and the event stream, as an {@code external} event {@code {"source":..., "summary":...,
   * "data":...}}. Does nothing once the dashboard is closed.
   *
   * @param source where it comes from, e.g. {@code executor 3 alert}
   * @param summary one line for people
   * @param json the event itself: a JSON object or array
   * @throws IllegalArgumentException if {@code json} is not an object or an array
   */
  public void publish(String source, String summary, String json) {
    java.util.Objects.requireNonNull(source, "source");
    java.util.Objects.requireNonNull(summary, "summary");
    String data = java.util.Objects.requireNonNull(json, "json").strip();
    if (!(data.startsWith("{") && data.endsWith("}"))
        && !(data.startsWith("[") && data.endsWith("]"))) {
      throw new IllegalArgumentException(
          "an external event's data must be a JSON object or array, got: "
              + (data.length() > 60 ? data.substring(0, 60) + "..." : data));
    }
    // line breaks outside JSON strings are whitespace, and inside them they are not allowed raw: as
    // spaces the event is the same JSON on the one line an event-stream field may have
    data = data.replace('\r', ' ').replace('\n', ' ');
    events.append(
        "external",
        new Json()
            .beginObject()
            .field("source", source)
            .field("summary", summary)
            .name("data")
            .raw(data)
            .endObject()
            .toString());
  }

  /** Events appended to the stream since the start. */
  public long eventsPushed() {
    return events.appended();
  }

  /** Stops the server, ends open streams and unregisters its listeners; idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (Registration r : registrations) {
      r.close();
    }
    events.close();
    // the streams end as soon as the log is closed; a second is their upper bound to say so
    server.stop(1);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "MemoryDashboard[" + url + (closed ? ", closed" : "") + "]";
  }

  // ---- listeners ------------------------------------------------------------------------------

  private void listen() {
    registrations.add(monitor.addListener(this::onSnapshot));
    registrations.add(
        monitor
            .alerts()
            .addListener(
                e -> {
                  if (e.type() == AlertEvent.Type.FIRED) {
                    alertsFired.incrementAndGet();
                  }
                  quietly(() -> events.append("alert", e.toJson()));
                }));
    registrations.add(
        monitor
            .leakDetector()
            .addListener(
                new LeakListener() {
                  @Override
                  public void onLeakReport(LeakReport report) {
                    leakReports.incrementAndGet();
                    quietly(() -> events.append("leak", report.toJson()));
                  }

                  @Override
                  public void onLeakCleared(Instant at) {
                    quietly(
                        () ->
                            events.append(
                                "leak",
                                new Json()
                                    .beginObject()
                                    .field("clearedAt", at)
                                    .endObject()
                                    .toString()));
                  }
                }));
    if (guard != null) {
      registrations.add(
          guard.addListener(
              e ->
                  quietly(
                      () -> {
                        String json = Views.guardEvent(e);
                        guardEventCount.incrementAndGet();
                        synchronized (guardEvents) {
                          if (guardEvents.size() == GUARD_EVENTS_KEPT) {
                            guardEvents.removeFirst();
                          }
                          guardEvents.addLast(json);
                        }
                        events.append("guard", json);
                      })));
    }
    registrations.add(
        manager
            .rollout()
            .addListener(sw -> quietly(() -> events.append("rollout", Views.switchJson(sw)))));
    registrations.add(
        manager.addPressureListener(
            c ->
                quietly(
                    () ->
                        events.append(
                            "pressure",
                            new Json()
                                .beginObject()
                                .field("previous", c.previous().name())
                                .field("current", c.current().name())
                                .field("source", c.source())
                                .field("utilization", c.utilization())
                                .field("time", Instant.now())
                                .endObject()
                                .toString()))));
  }

  private void onSnapshot(MemorySnapshot s) {
    quietly(
        () -> {
          Json j = new Json().beginObject();
          Views.sample(j, s, manager, emergency);
          events.append("sample", j.endObject().toString());
        });
  }

  /** Observers never throw into what they observe. */
  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (Throwable e) {
      log.warn("memguard: dashboard listener failed: {}", e.toString());
    }
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try {
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getPath();
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      if (!authorized(ex, query)) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"memguard\"");
        error(
            ex,
            401,
            "this dashboard needs its token: send 'Authorization: Bearer <token>' or"
                + " add ?token=<token> to the address");
        return;
      }
      if (path.equals("/api/rollout") && method.equals("POST")) {
        switchRollout(ex, query);
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders()
            .set("Allow", path.equals("/api/rollout") ? "GET, HEAD, POST" : "GET, HEAD");
        error(
            ex,
            405,
            "only GET and HEAD are served here (POST only to /api/rollout), not " + method);
        return;
      }
      switch (path) {
        case "/", "/index.html" -> send(ex, 200, "text/html; charset=utf-8", page);
        case "/api/snapshot" ->
            json(ex, Views.snapshot(monitor, emergency, config.trendWindow(), startNanos));
        case "/api/history" -> history(ex, query);
        case "/api/scopes" -> json(ex, Views.scopes(manager));
        case "/api/tasks" -> json(ex, Views.tasks(manager.allocator(), manager.ticker()));
        case "/api/fits" -> {
          Json j = new Json();
          fits.writeTo(j);
          json(ex, j.toString());
        }
        case "/api/leaks" -> json(ex, Views.leaks(monitor.leakDetector()));
        case "/api/alerts" -> json(ex, Views.alerts(monitor));
        case "/api/guard" -> {
          List<String> recent;
          synchronized (guardEvents) {
            recent = new ArrayList<>(guardEvents);
          }
          json(ex, Views.guard(guard, recent));
        }
        case "/api/events" -> stream(ex, query);
        case "/api/rollout" -> json(ex, Views.rollout(manager.rollout()));
        case "/metrics" ->
            send(
                ex,
                200,
                Prometheus.CONTENT_TYPE,
                Prometheus.render(
                        monitor,
                        guard,
                        new Prometheus.Counters(
                            alertsFired.get(),
                            leakReports.get(),
                            guardEventCount.get(),
                            events.appended(),
                            fits.counts()))
                    .getBytes(StandardCharsets.UTF_8));
        default -> {
          Json j = new Json().beginObject().field("error", "no such path: " + path);
          j.name("paths").beginArray();
          PATHS.forEach(j::value);
          j.endArray();
          send(
              ex,
              404,
              "application/json",
              j.endObject().toString().getBytes(StandardCharsets.UTF_8));
        }
      }
    } catch (BadRequest e) {
      error(ex, 400, e.getMessage());
    } catch (IOException e) {
      ex.close();
    } catch (RuntimeException e) {
      // the path only: the query may hold the token
      log.warn(
          "memguard: dashboard request {} failed: {}", ex.getRequestURI().getPath(), e.toString());
      error(ex, 500, "internal error: " + e);
    }
  }

  /**
   * POST /api/rollout?protection=EMERGENCY_GUARD&setting=OBSERVE: the rollback switch. Only with a
   * token (a dashboard without one is open to anything on the machine, and reads only).
   */
  private void switchRollout(HttpExchange ex, Map<String, String> query) throws IOException {
    if (config.token() == null) {
      error(
          ex,
          403,
          "switching a protection from the dashboard needs a token: start it with"
              + " DashboardConfig.builder().token(...), or switch through the API or JMX");
      return;
    }
    String protection = query.get("protection");
    String setting = query.get("setting");
    if (protection == null || setting == null) {
      throw new BadRequest(
          "give protection (one of "
              + java.util.Arrays.toString(Protection.values())
              + ") and setting (OFF, OBSERVE, ENFORCE or ENFORCE:<share>)");
    }
    Protection p;
    Rollout.Setting to;
    try {
      p = Protection.valueOf(protection.trim().toUpperCase(java.util.Locale.ROOT));
      to = Rollout.parse(setting);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(
          "protection must be one of "
              + java.util.Arrays.toString(Protection.values())
              + " and setting OFF, OBSERVE, ENFORCE or ENFORCE:<share>: "
              + e.getMessage());
    }
    manager.rollout().set(p, to, "by the dashboard");
    json(ex, Views.rollout(manager.rollout()));
  }

  private boolean authorized(HttpExchange ex, Map<String, String> query) {
    String token = config.token();
    if (token == null) {
      return true;
    }
    String given = null;
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header != null && header.startsWith("Bearer ")) {
      given = header.substring("Bearer ".length()).trim();
    } else if (query.containsKey("token")) {
      given = query.get("token");
    }
    return given != null
        && MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }

  private void history(HttpExchange ex, Map<String, String> query) throws IOException {
    double period = monitor.config().period().toNanos() / 1e9;
    long window = longParam(query, "window", 600, 1, 7 * 24 * 3600);
    double step =
        query.containsKey("step")
            ? longParam(query, "step", 1, 1, 24 * 3600)
            : Math.max(period, window / 300.0);
    step = Math.max(step, period);
    String names =
        query.getOrDefault("metrics", "heap.used,heap.live,process.rss,memguard.reserved");
    List<Metric> metrics = new ArrayList<>();
    for (String name : names.split(",")) {
      metrics.add(
          metric(name.trim())
              .orElseThrow(
                  () ->
                      new BadRequest(
                          "unknown metric '"
                              + name.trim()
                              + "'; known: "
                              + Metric.standard().stream().map(Metric::name).toList())));
    }
    List<MemorySnapshot> snaps = monitor.history().snapshots(Duration.ofSeconds(window));
    Json j = new Json().beginObject().field("window", window).field("step", step);
    j.name("series").beginArray();
    long stepMillis = Math.max(1, Math.round(step * 1000));
    for (Metric m : metrics) {
      j.beginObject().field("metric", m.name()).field("unit", m.unit());
      j.name("points").beginArray();
      long bucket = Long.MIN_VALUE;
      double sum = 0;
      int n = 0;
      for (MemorySnapshot s : snaps) {
        double v = m.valueOf(s);
        if (!Double.isFinite(v)) {
          continue;
        }
        long b = s.time().toEpochMilli() / stepMillis;
        if (b != bucket && n > 0) {
          j.beginArray().value(bucket * stepMillis).value(sum / n).endArray();
          sum = 0;
          n = 0;
        }
        bucket = b;
        sum += v;
        n++;
      }
      if (n > 0) {
        j.beginArray().value(bucket * stepMillis).value(sum / n).endArray();
      }
      j.endArray().endObject();
    }
    j.endArray();
    json(ex, j.endObject().toString());
  }

  private static Optional<Metric> metric(String name) {
    if (name.equals(Metric.RESERVED.name())) {
      return Optional.of(Metric.RESERVED);
    }
    return Metric.standard(name);
  }

  private void stream(HttpExchange ex, Map<String, String> query) throws IOException {
    long last = events.lastId();
    String resume = ex.getRequestHeaders().getFirst("Last-Event-ID");
    if (resume == null) {
      resume = query.get("lastEventId");
    }
    if (resume != null) {
      try {
        last = Long.parseLong(resume.trim());
      } catch (NumberFormatException e) {
        throw new BadRequest("Last-Event-ID must be a number, got '" + resume + "'");
      }
      if (last > events.lastId()) {
        // an id from before this dashboard started (the app restarted behind a fixed port): its
        // numbering began again, so everything it still holds is news to the client
        last = 0;
      }
    }
    if (!streamSlots.tryAcquire()) {
      error(ex, 503, "already " + config.maxStreams() + " event streams open (maxStreams)");
      return;
    }
    openStreams.incrementAndGet();
    try {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      ex.sendResponseHeaders(200, 0);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(
            ("retry: 2000\n: memguard " + manager.name().replaceAll("[\r\n]", " ") + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (!closed) {
          List<EventLog.Event> batch = events.after(last, KEEPALIVE_MILLIS);
          if (batch == null) {
            break;
          }
          StringBuilder sb = new StringBuilder();
          if (batch.isEmpty()) {
            sb.append(": keepalive\n\n");
          }
          for (EventLog.Event e : batch) {
            sb.append("id: ").append(e.id()).append('\n');
            sb.append("event: ").append(e.type()).append('\n');
            sb.append("data: ").append(e.data()).append("\n\n");
            last = e.id();
          }
          out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // the client went away
      }
    } finally {
      openStreams.decrementAndGet();
      streamSlots.release();
      ex.close();
    }
  }

  private static long longParam(Map<String, String> q, String name, long dflt, long min, long max) {
    String v = q.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < min || n > max) {
        throw new BadRequest(name + " must be in [" + min + ", " + max + "], got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be a whole number, got '" + v + "'");
    }
  }

  private static Map<String, String> query(@Nullable String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String k = eq < 0 ? part : part.substring(0, eq);
      String v = eq < 0 ? "" : part.substring(eq + 1);
      out.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void json(HttpExchange ex, String body) throws IOException {
    send(ex, 200, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private static void error(HttpExchange ex, int status, String message) throws IOException {
    String body =
        new Json()
            .beginObject()
            .field("error", message)
            .field("status", status)
            .endObject()
            .toString();
    send(ex, status, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    if (type.startsWith("text/html")) {
      ex.getResponseHeaders()
          .set(
              "Content-Security-Policy",
              "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
                  + " connect-src 'self'; img-src 'self' data:");
    }
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    ex.close();
  }

  private static byte[] readPage() throws IOException {
    try (InputStream in = MemoryDashboard.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        throw new IllegalStateException("dashboard.html is missing from memguard-dashboard's jar");
      }
      return in.readAllBytes();
    }
  }

  /** A request the dashboard cannot answer as asked (400). */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }
}
