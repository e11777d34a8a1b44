package io.memguard.bench;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.bench.workload.Churn;
import io.memguard.bench.workload.Pacer;
import io.memguard.core.LeakDetection;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import io.memguard.core.ReservationLeak;
import io.memguard.core.TaskOutcome;
import io.memguard.core.TaskRequest;
import io.memguard.monitor.LeakDetectorConfig;
import io.memguard.monitor.LeakReport;
import io.memguard.monitor.LeakSuspect;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.MemorySnapshot;
import io.memguard.monitor.MonitorConfig;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * The forked JVM behind the {@code verify} scenario: one check per JVM, against real memory, with a
 * MemoryManager and a MemoryMonitor; progress to stderr, one flat JSON object as the last stdout
 * line.
 *
 * <pre>
 * leak --kind KIND --fixed true|false [--seconds 30] [--rate 1m] [--quick true|false]
 * fits [--seconds 60] [--quick true|false]
 * at-limit [--seconds 30] [--threads 4]
 * concurrent-fits [--fits 8]
 * validation [--cases diabetes,synthetic] [--steps 2] [--repeats 2]
 * </pre>
 *
 * <p>{@code --quick true} gives the leak detector a 10 s window (0.5 s buckets, 3 s warm-up, class
 * histograms 2 s apart) instead of its default 30 s window, for the short profile.
 */
public final class VerifyWorkloadMain {
  private VerifyWorkloadMain() {}

  /** Runs the check named by {@code args[0]}; exits 0 when it ran, 2 on bad usage. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println(
          "usage: VerifyWorkloadMain leak|fits|at-limit|concurrent-fits|validation [--key value]");
      System.exit(2);
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Json.JsonObject result =
        switch (args[0]) {
          case "leak" -> leak(o);
          case "fits" -> fits(o);
          case "at-limit" -> atLimit(o);
          case "concurrent-fits" -> concurrentFits(o);
          case "validation" -> validation(o);
          default -> {
            System.err.println("unknown check " + args[0]);
            System.exit(2);
            yield null;
          }
        };
    System.out.println(result);
    System.out.flush();
    System.exit(0);
  }

  private static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
    System.err.flush();
  }

  private static double seconds(Map<String, String> o, double def) {
    String v = o.get("seconds");
    return v == null ? def : Double.parseDouble(v);
  }

  private static boolean flag(Map<String, String> o, String key, boolean def) {
    String v = o.get(key);
    return v == null ? def : Boolean.parseBoolean(v);
  }

  static LeakDetectorConfig detector(boolean quick) {
    if (!quick) {
      return LeakDetectorConfig.ofDefaults();
    }
    return LeakDetectorConfig.builder()
        .bucket(Duration.ofMillis(500))
        .window(Duration.ofSeconds(10))
        .warmup(Duration.ofSeconds(3))
        .histogramInterval(Duration.ofSeconds(2))
        .build();
  }

  private static MonitorConfig monitorConfig(boolean quick) {
    return MonitorConfig.builder()
        .period(Duration.ofMillis(100))
        .leakDetector(detector(quick))
        .build();
  }

  // ---- leak -----------------------------------------------------------------------------------

  static Json.JsonObject leak(Map<String, String> o) throws Exception {
    PipelineLeaks.Kind kind = PipelineLeaks.Kind.ofOption(o.getOrDefault("kind", ""));
    boolean fixed = flag(o, "fixed", false);
    boolean quick = flag(o, "quick", true);
    double seconds = seconds(o, 30);
    long rate = MemorySize.parse(o.getOrDefault("rate", "1m")).toBytes();
    int stepsPerSecond = 50;
    int payload = (int) Math.max(64, rate / stepsPerSecond);
    List<LeakReport> reports = new CopyOnWriteArrayList<>();
    List<ReservationLeak> reservationLeaks = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    AtomicLong firstReportNanos = new AtomicLong(-1);
    AtomicLong firstReservationLeakNanos = new AtomicLong(-1);
    progress(
        "leak %s (%s), %s: %s per second for %.0f s, max heap %s",
        kind.option(),
        kind.description,
        fixed ? "FIXED" : "leaking",
        MemorySize.format(rate),
        seconds,
        MemorySize.format(Runtime.getRuntime().maxMemory()));
    try (MemoryManager memory =
            MemoryManager.builder().name("verify").leakDetection(LeakDetection.SAMPLED).build();
        MemoryMonitor monitor = MemoryMonitor.start(memory, monitorConfig(quick));
        PipelineLeaks pipeline = new PipelineLeaks(kind, fixed, payload, memory)) {
      monitor
          .leakDetector()
          .addListener(
              r -> {
                reports.add(r);
                firstReportNanos.compareAndSet(-1, System.nanoTime());
                progress(
                    "leak: reported after %.1f s: %s/min, suspects %s",
                    (System.nanoTime() - start) / 1e9,
                    MemorySize.format((long) r.growthBytesPerMinute()),
                    r.suspects().stream().limit(4).map(LeakSuspect::name).toList());
              });
      memory.addLeakListener(
          leak -> {
            reservationLeaks.add(leak);
            firstReservationLeakNanos.compareAndSet(-1, System.nanoTime());
          });
      Pacer pacer = new Pacer(1_000_000_000L / stepsPerSecond);
      Churn churn = new Churn();
      long steps = 0;
      while (pacer.elapsedSeconds() < seconds) {
        pipeline.step();
        steps++;
        churn.allocate((64L << 20) / stepsPerSecond);
        pacer.awaitNextTick();
      }
      boolean expectClass = kind.suspectClass != null;
      boolean expectScope = kind.suspectScope != null;
      LeakReport first = reports.isEmpty() ? null : reports.get(0);
      boolean classNamed =
          first != null
              && expectClass
              && first.suspects().stream()
                  .anyMatch(
                      s ->
                          s.kind() == LeakSuspect.Kind.CLASS
                              && s.name().equals(kind.suspectClass.getName()));
      boolean topIsClass =
          first != null
              && expectClass
              && first
                  .topSuspect()
                  .map(s -> s.name().equals(kind.suspectClass.getName()))
                  .orElse(false);
      boolean scopeNamed =
          expectScope
              && (first != null
                      && first.suspects().stream()
                          .anyMatch(
                              s ->
                                  s.kind() == LeakSuspect.Kind.SCOPE
                                      && s.name().equals(kind.suspectScope))
                  || reservationLeaks.stream()
                      .anyMatch(l -> l.scopePath().equals(kind.suspectScope)));
      boolean detected =
          kind == PipelineLeaks.Kind.DROPPED_RESERVATION
              ? !reservationLeaks.isEmpty()
              : first != null;
      boolean suspectRight = (!expectClass || classNamed) && (!expectScope || scopeNamed);
      long detectedAt =
          kind == PipelineLeaks.Kind.DROPPED_RESERVATION
              ? firstReservationLeakNanos.get()
              : firstReportNanos.get();
      MemorySnapshot last = monitor.latest().orElse(null);
      Json.JsonObject json =
          Json.object()
              .put("check", "leak")
              .put("kind", kind.option())
              .put("description", kind.description)
              .put("fixed", fixed)
              .put("seconds", seconds)
              .put("rateBytesPerSecond", rate)
              .put("steps", steps)
              .put("detected", detected)
              .put("detectionSeconds", detectedAt < 0 ? null : round((detectedAt - start) / 1e9))
              .put("leakReports", reports.size())
              .put("reservationLeaks", reservationLeaks.size())
              .put("expectedClass", expectClass ? kind.suspectClass.getName() : null)
              .put("expectedScope", kind.suspectScope)
              .put("classNamed", classNamed)
              .put("topSuspectIsClass", topIsClass)
              .put("scopeNamed", scopeNamed)
              .put("suspectRight", detected && suspectRight)
              .put(
                  "topSuspect",
                  first == null ? null : first.topSuspect().map(LeakSuspect::name).orElse(null))
              .put(
                  "suspects",
                  first == null
                      ? List.of()
                      : first.suspects().stream()
                          .limit(6)
                          .map(s -> s.kind() + " " + s.name())
                          .toList())
              .put(
                  "reservationLeakScopes",
                  reservationLeaks.stream().map(ReservationLeak::scopePath).distinct().toList())
              .put("pipelineReservedBytes", pipeline.reservedBytes())
              .put("liveSetBytes", last == null ? -1 : last.liveSetBytes())
              .put("maxHeapBytes", Runtime.getRuntime().maxMemory());
      if (first != null) {
        progress("%s", first.describe());
      }
      return json;
    }
  }

  // ---- back-to-back fits ----------------------------------------------------------------------

  static Json.JsonObject fits(Map<String, String> o) throws Exception {
    double seconds = seconds(o, 60);
    boolean quick = flag(o, "quick", true);
    Dataset.Split data = bundled("synthetic");
    List<LeakReport> reports = new CopyOnWriteArrayList<>();
    List<double[]> liveAfterFit = new ArrayList<>();
    long start = System.nanoTime();
    progress("fits: AutoFeat fits back to back for %.0f s with the monitor on", seconds);
    try (MemoryManager memory = MemoryManager.builder().name("verify").build();
        MemoryMonitor monitor = MemoryMonitor.start(memory, monitorConfig(quick))) {
      monitor.leakDetector().addListener(reports::add);
      int fits = 0;
      long liveAtStart = -1;
      double firstScore = Double.NaN;
      boolean sameScores = true;
      long maxPeakReserved = 0;
      while ((System.nanoTime() - start) / 1e9 < seconds) {
        try (MemoryScope scope = memory.openScope("fit-" + fits);
            AutoFeatModel model = processor(2, 3, 0).fit(scope, data.train())) {
          double score = model.score(data.test());
          if (fits == 0) {
            firstScore = score;
          } else {
            sameScores &= Double.compare(score, firstScore) == 0;
          }
          maxPeakReserved = Math.max(maxPeakReserved, model.report().peakReservedBytes());
        }
        fits++;
        if (liveAtStart < 0 && (System.nanoTime() - start) / 1e9 >= seconds / 10) {
          liveAtStart = liveAfterFullCollection(); // after the JIT and the caches warmed up
        }
        long live = MemoryManager.heapUsedAfterLastCollectionBytes();
        liveAfterFit.add(new double[] {(System.nanoTime() - start) / 1e9, live});
      }
      long liveAtEnd = liveAfterFullCollection();
      double[] slope = TrendFit.theilSen(liveAfterFit);
      long firstQuarter = TrendFit.medianOfQuarter(liveAfterFit, 0);
      long lastQuarter = TrendFit.medianOfQuarter(liveAfterFit, 3);
      MemorySnapshot last = monitor.latest().orElse(null);
      progress(
          "fits: %d fits, live heap after a full collection %s -> %s; after any collection %s"
              + " (first quarter) -> %s (last quarter), trend %s/min, %d leak reports",
          fits,
          MemorySize.format(liveAtStart),
          MemorySize.format(liveAtEnd),
          MemorySize.format(firstQuarter),
          MemorySize.format(lastQuarter),
          MemorySize.format((long) (slope[0] * 60)),
          reports.size());
      return Json.object()
          .put("check", "fits")
          .put("seconds", round((System.nanoTime() - start) / 1e9))
          .put("fits", fits)
          .put("sameScoreEveryFit", sameScores)
          .put("score", firstScore)
          .put("maxPeakReservedBytes", maxPeakReserved)
          .put("liveAfterFullGcStartBytes", liveAtStart)
          .put("liveAfterFullGcEndBytes", liveAtEnd)
          .put("liveSetFirstQuarterBytes", firstQuarter)
          .put("liveSetLastQuarterBytes", lastQuarter)
          .put("liveSetTrendBytesPerMinute", round(slope[0] * 60))
          .put("leakReports", reports.size())
          .put("leakState", monitor.leakDetector().status().state().name())
          .put("reservedBytesAtEnd", memory.reservedBytes())
          .put("reservationLeaks", memory.stats().leaksReported())
          .put("liveSetBytes", last == null ? -1 : last.liveSetBytes())
          .put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    }
  }

  // ---- reservations at the limit --------------------------------------------------------------

  static Json.JsonObject atLimit(Map<String, String> o) throws Exception {
    double seconds = seconds(o, 30);
    int threads = Integer.parseInt(o.getOrDefault("threads", "4"));
    long limit = Runtime.getRuntime().maxMemory() / 2;
    AtomicLong granted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong timedOut = new AtomicLong();
    LongAccumulator maxReserved = new LongAccumulator(Math::max, 0);
    List<LeakReport> reports = new CopyOnWriteArrayList<>();
    progress(
        "at-limit: %d threads reserving up to a %s budget for %.0f s",
        threads, MemorySize.format(limit), seconds);
    long start = System.nanoTime();
    try (MemoryManager memory =
            MemoryManager.builder().name("verify").limit(MemorySize.ofBytes(limit)).build();
        MemoryMonitor monitor = MemoryMonitor.start(memory, monitorConfig(true))) {
      monitor.leakDetector().addListener(reports::add);
      MemoryScope scope = memory.openScope("at-limit");
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long seed = t;
        workers.add(
            pool.submit(
                () -> {
                  SplittableRandom rnd = new SplittableRandom(seed);
                  long sink = 0;
                  while ((System.nanoTime() - start) / 1e9 < seconds) {
                    int bytes = (int) (limit / 16 + rnd.nextLong(limit / 4));
                    Reservation r;
                    if (rnd.nextBoolean()) {
                      r = scope.tryReserve(bytes).orElse(null);
                      if (r == null) {
                        refused.incrementAndGet();
                        Thread.onSpinWait();
                        continue;
                      }
                    } else {
                      try {
                        r = scope.reserve(bytes, Duration.ofMillis(50));
                      } catch (io.memguard.core.MemoryBudgetExceededException e) {
                        timedOut.incrementAndGet();
                        continue;
                      }
                    }
                    try (Reservation held = r) {
                      granted.incrementAndGet();
                      maxReserved.accumulate(memory.reservedBytes());
                      // what was reserved is held as 256 KiB chunks, as a pipeline holds its
                      // arrays: one 4-20 MiB array per reservation measured G1's humongous-region
                      // fragmentation in a 128 MiB heap (an OutOfMemoryError in 2 of 3 CI runs at
                      // 64 MiB reserved), not the budget's accounting this check is about
                      int chunk = 256 << 10;
                      byte[][] blocks = new byte[(bytes + chunk - 1) / chunk][];
                      for (int c = 0; c < blocks.length; c++) {
                        blocks[c] = new byte[Math.min(chunk, bytes - c * chunk)];
                        blocks[c][blocks[c].length - 1] = 1;
                      }
                      sink += blocks[rnd.nextInt(blocks.length)][0];
                      Thread.sleep(rnd.nextInt(3));
                    }
                  }
                  return sink;
                }));
      }
      for (Future<?> w : workers) {
        w.get(5, TimeUnit.MINUTES);
      }
      pool.shutdown();
      long reservedAfterRelease = memory.reservedBytes();
      scope.close();
      progress(
          "at-limit: %d granted, %d refused at once, %d timed out, peak %s of %s",
          granted.get(),
          refused.get(),
          timedOut.get(),
          MemorySize.format(maxReserved.get()),
          MemorySize.format(limit));
      return Json.object()
          .put("check", "at-limit")
          .put("seconds", round((System.nanoTime() - start) / 1e9))
          .put("threads", threads)
          .put("limitBytes", limit)
          .put("granted", granted.get())
          .put("refused", refused.get())
          .put("timedOut", timedOut.get())
          .put("maxReservedBytes", maxReserved.get())
          .put("peakWithinLimit", memory.peakReservedBytes() <= limit)
          .put("reservedBytesAtEnd", reservedAfterRelease)
          .put("reservationLeaks", memory.stats().leaksReported())
          .put("leakReports", reports.size());
    }
  }

  // ---- concurrent fits ------------------------------------------------------------------------

  /** What a fit produced, compared bit for bit. */
  record Fit(List<String> features, double[][] coefficients, double[] intercepts, double score) {
    boolean sameAs(Fit other) {
      return features.equals(other.features)
          && Arrays.deepEquals(coefficients, other.coefficients)
          && Arrays.equals(intercepts, other.intercepts)
          && Double.compare(score, other.score) == 0;
    }
  }

  static Json.JsonObject concurrentFits(Map<String, String> o) throws Exception {
    int fits = Integer.parseInt(o.getOrDefault("fits", "8"));
    long grant = 32L << 20;
    Dataset.Split data = bundled("synthetic");
    long start = System.nanoTime();
    List<Fit> alone = new ArrayList<>();
    try (MemoryManager memory =
        MemoryManager.builder().limit(MemorySize.ofBytes(fits * grant)).build()) {
      for (int seed = 0; seed < fits; seed++) {
        try (MemoryScope scope = memory.openScope("alone-" + seed, MemorySize.ofBytes(grant));
            AutoFeatModel model = processor(2, 3, seed).fit(scope, data.train())) {
          alone.add(result(model, data));
        }
      }
    }
    double aloneSeconds = (System.nanoTime() - start) / 1e9;
    progress("concurrent-fits: %d fits one after another in %.1f s", fits, aloneSeconds);
    long concurrentStart = System.nanoTime();
    int completed = 0;
    int identical = 0;
    int withinGrant = 0;
    double longestWaitSeconds = 0;
    long leaks;
    long reservedAtEnd;
    // half the grants at once: the other half must wait for admission and still run
    try (MemoryManager memory =
        MemoryManager.builder().limit(MemorySize.ofBytes(fits / 2 * grant)).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(fits);
      try {
        List<Future<TaskOutcome<Object[]>>> outcomes = new ArrayList<>();
        for (int i = 0; i < fits; i++) {
          int seed = i;
          long submitted = System.nanoTime();
          TaskRequest request =
              TaskRequest.named("fit-" + seed)
                  .minBytes(grant)
                  .desiredBytes(grant)
                  .timeout(Duration.ofMinutes(5));
          outcomes.add(
              pool.submit(
                  () ->
                      memory
                          .allocator()
                          .run(
                              request,
                              g -> {
                                double waited = (System.nanoTime() - submitted) / 1e9;
                                try (AutoFeatModel model =
                                    processor(2, 3, seed).fit(g, data.train())) {
                                  return new Object[] {
                                    result(model, data),
                                    model.report().peakReservedBytes() <= g.grantedBytes(),
                                    waited
                                  };
                                }
                              })));
        }
        for (int i = 0; i < fits; i++) {
          TaskOutcome<Object[]> outcome = outcomes.get(i).get(8, TimeUnit.MINUTES);
          if (!outcome.completed()) {
            progress("concurrent-fits: fit %d %s: %s", i, outcome.status(), outcome.error());
            continue;
          }
          completed++;
          Object[] r = outcome.result();
          identical += ((Fit) r[0]).sameAs(alone.get(i)) ? 1 : 0;
          withinGrant += (Boolean) r[1] ? 1 : 0;
          longestWaitSeconds = Math.max(longestWaitSeconds, (Double) r[2]);
        }
      } finally {
        pool.shutdownNow();
      }
      leaks = memory.stats().leaksReported();
      reservedAtEnd = memory.reservedBytes();
    }
    double concurrentSeconds = (System.nanoTime() - concurrentStart) / 1e9;
    progress(
        "concurrent-fits: %d of %d completed, %d identical to single-threaded, %d within grant,"
            + " longest wait for admission %.1f s, %.1f s in all",
        completed, fits, identical, withinGrant, longestWaitSeconds, concurrentSeconds);
    return Json.object()
        .put("check", "concurrent-fits")
        .put("fits", fits)
        .put("completed", completed)
        .put("identicalToSingleThreaded", identical)
        .put("withinGrant", withinGrant)
        .put("longestAdmissionWaitSeconds", round(longestWaitSeconds))
        .put("singleThreadedSeconds", round(aloneSeconds))
        .put("concurrentSeconds", round(concurrentSeconds))
        .put("reservedBytesAtEnd", reservedAtEnd)
        .put("reservationLeaks", leaks);
  }

  // ---- validation on the real data sets --------------------------------------------------------

  static Json.JsonObject validation(Map<String, String> o) throws Exception {
    List<String> cases = List.of(o.getOrDefault("cases", "diabetes,synthetic").split(","));
    int steps = Integer.parseInt(o.getOrDefault("steps", "2"));
    int repeats = Integer.parseInt(o.getOrDefault("repeats", "2"));
    List<LeakReport> reports = new CopyOnWriteArrayList<>();
    List<Object> rows = new ArrayList<>();
    long start = System.nanoTime();
    long gcBefore = gcCount();
    try (MemoryManager memory = MemoryManager.builder().name("verify").build();
        MemoryMonitor monitor = MemoryMonitor.start(memory, monitorConfig(false))) {
      monitor.leakDetector().addListener(reports::add);
      LongAccumulator maxLive = new LongAccumulator(Math::max, 0);
      LongAccumulator maxRss = new LongAccumulator(Math::max, 0);
      monitor.addListener(
          s -> {
            maxLive.accumulate(s.liveSetBytes());
            maxRss.accumulate(s.rssBytes());
          });
      for (String name : cases) {
        CorpusScenario.Case c = caseNamed(name.strip());
        Dataset.Split data = bundled(c);
        double[] times = new double[repeats];
        double[] scores = new double[repeats];
        long peakReserved = 0;
        boolean lightweight = false;
        String outcome = "ok";
        for (int r = 0; r < repeats; r++) {
          long t0 = System.nanoTime();
          try (MemoryScope scope = memory.openScope(c.name() + "-" + r);
              AutoFeatModel model =
                  AutoFeatProcessor.builder()
                      .featureEngineeringSteps(steps)
                      .problemType(c.problem())
                      .seed(0)
                      .build()
                      .fit(scope, data.train())) {
            scores[r] = model.score(data.test());
            peakReserved = Math.max(peakReserved, model.report().peakReservedBytes());
            lightweight |= model.report().lightweight();
          } catch (io.memguard.autofeat.InsufficientMemoryException e) {
            outcome = "insufficient-memory";
            scores[r] = Double.NaN;
          }
          times[r] = (System.nanoTime() - t0) / 1e9;
        }
        boolean stable = true;
        for (double s : scores) {
          stable &= Double.compare(s, scores[0]) == 0;
        }
        progress(
            "validation: %-12s %s, fits %s s, score %.5f, same every time: %s",
            c.name(), outcome, Arrays.toString(roundAll(times)), scores[0], stable);
        rows.add(
            Json.object()
                .put("dataset", c.name())
                .put("problem", c.problem().name().toLowerCase(Locale.ROOT))
                .put("outcome", outcome)
                .put("fitSeconds", Arrays.stream(roundAll(times)).boxed().toList())
                .put("score", scores[0])
                .put("sameScoreEveryFit", stable)
                .put("peakReservedBytes", peakReserved)
                .put("lightweight", lightweight));
      }
      return Json.object()
          .put("check", "validation")
          .put("seconds", round((System.nanoTime() - start) / 1e9))
          .put("steps", steps)
          .put("repeats", repeats)
          .put("cases", rows)
          .put("gcCount", gcCount() - gcBefore)
          .put("maxLiveSetBytes", maxLive.get())
          .put("maxRssBytes", maxRss.get())
          .put("leakReports", reports.size())
          .put("leakState", monitor.leakDetector().status().state().name())
          .put("reservedBytesAtEnd", memory.reservedBytes())
          .put("reservationLeaks", memory.stats().leaksReported())
          .put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static AutoFeatProcessor processor(int steps, int runs, long seed) {
    return AutoFeatProcessor.builder()
        .featureEngineeringSteps(steps)
        .featureSelectionRuns(runs)
        .seed(seed)
        .build();
  }

  private static Fit result(AutoFeatModel model, Dataset.Split data) {
    return new Fit(
        model.features(), model.coefficients(), model.intercepts(), model.score(data.test()));
  }

  private static CorpusScenario.Case caseNamed(String name) {
    for (CorpusScenario.Case c : CorpusScenario.CASES) {
      if (c.name().equals(name) && c.generated() == null) {
        return c;
      }
    }
    throw new IllegalArgumentException("no bundled data set named '" + name + "'");
  }

  static Dataset.Split bundled(String name) throws Exception {
    return bundled(caseNamed(name));
  }

  private static Dataset.Split bundled(CorpusScenario.Case c) throws Exception {
    Dataset all;
    try (Reader r = reader(c.csv())) {
      all = Dataset.readCsv(r, "target", c.csv());
    }
    try (Reader r = reader(c.testRows())) {
      return all.split(Dataset.readIndices(r, c.testRows()));
    }
  }

  private static Reader reader(String resource) {
    InputStream in = VerifyWorkloadMain.class.getResourceAsStream("/" + resource);
    if (in == null) {
      throw new IllegalStateException("resource " + resource + " is missing from the jar");
    }
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }

  /**
   * The live heap in bytes, from a class histogram: the JVM runs a full collection to take it (the
   * same diagnostic command the leak detector uses on suspicion). After a young collection the heap
   * still holds old-generation garbage until the next mixed cycle, so only this figure can tell a
   * slow leak from garbage piling up in a long run; the check takes it twice.
   */
  static long liveAfterFullCollection() {
    try {
      Object text =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "gcClassHistogram",
                  new Object[] {new String[0]},
                  new String[] {String[].class.getName()});
      String[] lines = text.toString().strip().split("\n");
      String[] total = lines[lines.length - 1].trim().split("\\s+");
      return Long.parseLong(total[total.length - 1]);
    } catch (javax.management.JMException | RuntimeException e) {
      return -1;
    }
  }

  private static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
    }
    return n;
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static double[] roundAll(double[] v) {
    return Arrays.stream(v).map(VerifyWorkloadMain::round).toArray();
  }

  /** Trend helpers for the live-set series. */
  static final class TrendFit {
    private TrendFit() {}

    /** The Theil-Sen slope of (x, y) points, y per x; {0} with fewer than two points. */
    static double[] theilSen(List<double[]> points) {
      List<Double> slopes = new ArrayList<>();
      for (int i = 0; i < points.size(); i++) {
        for (int j = i + 1; j < points.size(); j++) {
          double dx = points.get(j)[0] - points.get(i)[0];
          if (dx > 0) {
            slopes.add((points.get(j)[1] - points.get(i)[1]) / dx);
          }
        }
      }
      if (slopes.isEmpty()) {
        return new double[] {0};
      }
      slopes.sort(Double::compare);
      return new double[] {slopes.get(slopes.size() / 2)};
    }

    /** The median y of quarter {@code q} (0 to 3) of the points, in order. */
    static long medianOfQuarter(List<double[]> points, int q) {
      int n = points.size();
      int from = n * q / 4;
      int to = Math.max(from + 1, n * (q + 1) / 4);
      double[] ys =
          points.subList(Math.min(from, n - 1), Math.min(to, n)).stream()
              .mapToDouble(p -> p[1])
              .sorted()
              .toArray();
      return ys.length == 0 ? -1 : (long) ys[ys.length / 2];
    }
  }
}
