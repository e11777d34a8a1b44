package io.memguard.bench;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.FitReport;
import io.memguard.autofeat.InsufficientMemoryException;
import io.memguard.autofeat.PhaseReport;
import io.memguard.autofeat.ProblemType;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The allocation audit's worker, run in a JVM of its own by {@link AllocationAuditIT}: fits one
 * corpus case and measures the fit's real live heap, which the library itself never can: a thread
 * requests a full collection every few milliseconds during the fit and reads the heap in use right
 * after it (test code may request collections; the library never does). Prints one JSON line: the
 * peak live heap above the baseline taken the same way just before the fit, the fit's peak reserved
 * bytes, the bound {@code 1.25 x peak reserved + 16 MiB} and the bytes the fit's threads allocated
 * per phase.
 *
 * <p>Arguments: {@code <case> <steps> [period millis (10)]}, where the case is a name of {@link
 * CorpusScenario#CASES}, a generated spec such as {@code fuzz:17} ({@link GeneratedData}), or a
 * {@code NAME.csv} on disk with {@code NAME_seed0_test_idx.txt} beside it and a {@code target}
 * column, fitted as regression unless the system property {@code audit.classification} lists NAME.
 */
public final class AllocationAuditMain {

  private static final MemoryMXBean HEAP = ManagementFactory.getMemoryMXBean();
  private static volatile long peakLive;
  private static volatile int samples;
  private static volatile boolean running = true;

  private AllocationAuditMain() {}

  public static void main(String[] args) throws Exception {
    String name = args[0];
    int steps = Integer.parseInt(args[1]);
    long period = args.length > 2 ? Long.parseLong(args[2]) : 10;
    Audited audited = audited(name);
    Dataset.Split split = audited.split();
    long baseline = liveNow();
    peakLive = baseline;
    Thread sampler =
        new Thread(
            () -> {
              while (running) {
                long live = liveNow();
                if (live > peakLive) {
                  peakLive = live;
                }
                samples++;
                try {
                  Thread.sleep(period);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "audit-sampler");
    sampler.setDaemon(true);
    Json.JsonObject out = Json.object().put("dataset", name).put("steps", steps);
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder()
            .problemType(audited.problem())
            .featureEngineeringSteps(steps)
            .build();
    try (MemoryManager memory = MemoryManager.ofDefaults();
        MemoryScope scope = memory.openScope("audit")) {
      sampler.start();
      long t0 = System.nanoTime();
      try (AutoFeatModel model = processor.fit(scope, split.train())) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        running = false;
        sampler.join();
        FitReport r = model.report();
        out.put("outcome", "ok")
            .put("fitSeconds", Math.round(seconds * 1000) / 1000.0)
            .put("lightweight", r.lightweight())
            .put("plan", r.plan().describe());
        put(out, r.peakReservedBytes(), baseline);
        for (PhaseReport p : r.phases()) {
          out.put(
              "allocated"
                  + p.phase().name().charAt(0)
                  + p.phase().name().substring(1).toLowerCase(Locale.ROOT),
              p.allocatedBytes());
        }
        out.put("allocatedBytes", r.allocatedBytes());
      } catch (InsufficientMemoryException e) {
        running = false;
        sampler.join();
        out.put("outcome", "insufficient-memory").put("message", e.getMessage());
        put(out, memory.peakReservedBytes(), baseline);
      }
    }
    System.out.println(out);
  }

  private static void put(Json.JsonObject out, long peakReserved, long baseline) {
    long live = Math.max(0, peakLive - baseline);
    long bound = (long) (1.25 * peakReserved) + (16L << 20);
    out.put("peakReservedBytes", peakReserved)
        .put("peakLiveHeapBytes", live)
        .put("boundBytes", bound)
        .put("withinBound", live <= bound)
        .put("samples", samples);
  }

  /** The heap in use right after a full collection. */
  private static long liveNow() {
    System.gc();
    return HEAP.getHeapMemoryUsage().getUsed();
  }

  private record Audited(Dataset.Split split, ProblemType problem) {}

  private static Audited audited(String name) throws Exception {
    CorpusScenario.Case c;
    if (name.endsWith(".csv")) {
      Path csv = Path.of(name);
      String base = csv.getFileName().toString();
      base = base.substring(0, base.length() - ".csv".length());
      List<CorpusScenario.Case> inDir =
          CorpusScenario.directoryCases(
              csv.toAbsolutePath().getParent(), System.getProperty("audit.classification"));
      c = CorpusScenario.select(inDir, base).get(0);
    } else if (name.contains(":")) {
      GeneratedData.Generated g = GeneratedData.generate(name);
      return new Audited(g.split(), g.problem());
    } else {
      c = CorpusScenario.select(name).get(0);
    }
    return new Audited(load(c), c.problem());
  }

  private static Dataset.Split load(CorpusScenario.Case c) throws Exception {
    if (c.generated() != null) {
      return GeneratedData.generate(c.generated()).split();
    }
    Dataset all;
    try (Reader in = open(c, c.csv())) {
      all = Dataset.readCsv(in, "target", c.csv());
    }
    int[] test;
    try (Reader in = open(c, c.testRows())) {
      test = Dataset.readIndices(in, c.testRows());
    }
    return all.split(test);
  }

  /** A file of case {@code c}: on disk, or a resource of the jar. */
  private static Reader open(CorpusScenario.Case c, String file) throws IOException {
    if (c.onDisk()) {
      return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    }
    InputStream in = AllocationAuditMain.class.getResourceAsStream("/" + file);
    if (in == null) {
      throw new IllegalStateException("resource " + file + " is missing from the class path");
    }
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }
}
