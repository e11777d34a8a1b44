package io.memguard.bench;

import io.memguard.autofeat.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The memory fuzz: seeded random data sets of many shapes and pathologies ({@link GeneratedData},
 * spec {@code fuzz:SEED}), each fitted with 1 to 3 feature-engineering steps in a JVM of its own
 * with a small heap (16, 32 or 64 MiB, drawn per case, or the one given, but never less than the
 * data set itself needs, {@link #heapForData}) and a time limit. A fit must either complete or
 * refuse with {@code InsufficientMemoryException}: an {@link OutOfMemoryError}, any other error and
 * a timeout are failures. Prints one line per case to stderr and a JSON summary with every case as
 * the last stdout line.
 */
final class FuzzScenario implements Scenario {

  static final int[] HEAPS_MB = {16, 32, 64};

  /**
   * The heap a forked fit's JVM uses besides its data. With 16 MiB (and three times the table)
   * every case's heap was at least 32 MiB, so the 16 MiB heaps the fuzz draws were never run; with
   * 8 MiB, 74,102 rows x 13 columns in 32 MiB ran out of memory while generating the table.
   */
  static final int JVM_OWN_HEAP_MB = 12;

  @Override
  public String name() {
    return "fuzz";
  }

  /**
   * One case of the fuzz: its spec ({@code fuzz:SEED}), 1 to 3 steps and the heap drawn for it in
   * MiB, as {@link #draw} draws them; the data comes from the spec.
   */
  record Drawn(String spec, int steps, int drawnHeapMb) {

    /** The case's heap in MiB: the one drawn, never below {@link #heapForData} of its data. */
    int heapMbFor(Dataset data) {
      return Math.max(drawnHeapMb, heapForData(data.estimatedBytes()));
    }
  }

  /**
   * Draws case {@code caseSeed} of the fuzz: 1 to 3 steps and a heap of 16, 32 or 64 MiB ({@code
   * fixedHeap} instead when positive).
   */
  static Drawn draw(long caseSeed, int fixedHeap) {
    SplittableRandom rnd = new SplittableRandom(GeneratedData.mix(~caseSeed));
    int steps = 1 + rnd.nextInt(3);
    int drawn = fixedHeap > 0 ? fixedHeap : HEAPS_MB[rnd.nextInt(HEAPS_MB.length)];
    return new Drawn("fuzz:" + caseSeed, steps, drawn);
  }

  /**
   * The smallest heap (a power of two, in MiB) that holds a data set of {@code bytes} in the forked
   * JVM: the generated table with its training and test copies (four times the table at the
   * generator's peak) and the JVM's own {@value #JVM_OWN_HEAP_MB} MiB. The data is the caller's
   * memory, outside what a fit can manage, so a case's heap is never smaller.
   */
  static int heapForData(long bytes) {
    long needed = 4 * bytes + (JVM_OWN_HEAP_MB << 20);
    int mb = 16;
    while ((long) mb << 20 < needed) {
      mb *= 2;
    }
    return mb;
  }

  /**
   * A seeded share of {@code names} (at least one, in their order) to engineer from; empty for all
   * of them (share 0 or 1, or every column drawn). Drawn from a generator of its own, so the cases
   * themselves are those of the same seed without the option.
   */
  static List<String> engineered(List<String> names, double share, long caseSeed) {
    if (share <= 0 || share >= 1 || names.size() < 2) {
      return List.of();
    }
    java.util.SplittableRandom r = new java.util.SplittableRandom(caseSeed ^ 0x6A09E667F3BCC909L);
    int k = Math.max(1, (int) Math.round(share * names.size()));
    List<String> shuffled = new ArrayList<>(names);
    for (int j = shuffled.size() - 1; j > 0; j--) {
      java.util.Collections.swap(shuffled, j, r.nextInt(j + 1));
    }
    java.util.Set<String> chosen = new java.util.HashSet<>(shuffled.subList(0, k));
    if (chosen.size() == names.size()) {
      return List.of();
    }
    return names.stream().filter(chosen::contains).toList();
  }

  /** The units {@link #units} draws from: four base dimensions, alone and combined. */
  private static final List<String> UNITS =
      List.of("m", "s", "kg", "m/s", "m/s^2", "kg/m^3", "Pa*s", "N", "J", "K", "km", "h", "1/s");

  /**
   * A seeded share of {@code names} with a unit each, as {@code --units} takes them ({@code
   * "a=m,c=kg/m^3"}); empty for none. Drawn from a generator of its own, as {@link #engineered}.
   */
  static String units(List<String> names, double share, long caseSeed) {
    if (share <= 0 || names.isEmpty()) {
      return "";
    }
    java.util.SplittableRandom r = new java.util.SplittableRandom(caseSeed ^ 0xBB67AE8584CAA73BL);
    List<String> out = new ArrayList<>();
    for (String name : names) {
      if (r.nextDouble() < share) {
        out.add(name + "=" + UNITS.get(r.nextInt(UNITS.size())));
      }
    }
    return String.join(",", out);
  }

  @Override
  public String usage() {
    return "fuzz [--cases N (50)] [--seed S (0)] [--heap-mb M (16, 32 or 64 per case)]"
        + " [--timeout-seconds T (300)] [--featsel-runs N (5)] [--parallelism N (available processors)]"
        + " [--feateng-share F (0): each case engineers from a seeded share F of its columns]"
        + " [--units-share F (0): a seeded share F of each case's columns gets a unit]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) {
    int cases = ctx.intValue("cases", 50);
    long seed = ctx.longValue("seed", 0);
    int fixedHeap = ctx.intValue("heap-mb", -1);
    long timeout = ctx.longValue("timeout-seconds", 300);
    int runs = ctx.intValue("featsel-runs", 5);
    int parallelism = ctx.intValue("parallelism", Runtime.getRuntime().availableProcessors());
    double featengShare = Double.parseDouble(ctx.string("feateng-share", "0"));
    double unitsShare = Double.parseDouble(ctx.string("units-share", "0"));
    ctx.rejectUnused();
    if (!(unitsShare >= 0 && unitsShare <= 1)) {
      throw new IllegalArgumentException("--units-share must be in [0, 1], got " + unitsShare);
    }
    if (!(featengShare >= 0 && featengShare <= 1)) {
      throw new IllegalArgumentException("--feateng-share must be in [0, 1], got " + featengShare);
    }
    if (cases < 1) {
      throw new IllegalArgumentException("--cases must be >= 1, got " + cases);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("memguard-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
    List<Json.JsonObject> results = new ArrayList<>();
    int ok = 0;
    int insufficient = 0;
    int errors = 0;
    int oom = 0;
    int timeouts = 0;
    long start = System.nanoTime();
    try {
      for (int i = 0; i < cases; i++) {
        Drawn d = draw(seed + i, fixedHeap);
        String spec = d.spec();
        int steps = d.steps();
        GeneratedData.Generated g = GeneratedData.generate(spec);
        int heap = d.heapMbFor(g.data());
        List<String> args =
            new ArrayList<>(
                List.of(
                    "--generated",
                    spec,
                    "--steps",
                    Integer.toString(steps),
                    "--featsel-runs",
                    Integer.toString(runs),
                    "--parallelism",
                    Integer.toString(parallelism)));
        List<String> engineered = engineered(g.data().names(), featengShare, seed + i);
        if (!engineered.isEmpty()) {
          args.add("--feateng-cols");
          args.add(String.join(",", engineered));
        }
        String units = units(g.data().names(), unitsShare, seed + i);
        if (!units.isEmpty()) {
          args.add("--units");
          args.add(units);
        }
        ForkedFit.Result f = ForkedFit.run(heap, args, timeout, dir);
        switch (f.outcome()) {
          case "ok" -> ok++;
          case "insufficient-memory" -> insufficient++;
          default -> {
            errors++;
            if (f.outOfMemory()) {
              oom++;
            }
            if (f.timedOut()) {
              timeouts++;
            }
          }
        }
        Json.JsonObject j = f.json();
        Json.JsonObject r =
            Json.object()
                .put("case", i)
                .put("spec", spec)
                .put("description", g.description())
                .put("steps", steps)
                .put("featengColumns", engineered.isEmpty() ? null : engineered.size())
                .put("units", units.isEmpty() ? null : units)
                .put("heapMb", heap)
                .put("outcome", f.outcome())
                .put("wallSeconds", Math.round(f.wallSeconds() * 100) / 100.0);
        if (j != null) {
          r.put("fitSeconds", j.get("fitSeconds"))
              .put("plan", j.get("plan"))
              .put("peakReservedBytes", j.get("peakReservedBytes"))
              .put("peakLiveHeapBytes", j.get("peakLiveHeapBytes"))
              .put("message", j.get("message"));
        } else {
          r.put("errorKind", f.errorKind()).put("error", f.error()).put("stderr", f.stderrTail());
        }
        results.add(r);
        ctx.progress(
            "fuzz %4d %-12s %2d steps %3d MiB %-20s %6.1f s  %s",
            i,
            spec,
            steps,
            heap,
            "error".equals(f.outcome()) ? "error: " + f.errorKind() : f.outcome(),
            f.wallSeconds(),
            g.description());
        if ("error".equals(f.outcome())) {
          ctx.progress("      %s", f.error());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("fuzz: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("fuzz: interrupted", e);
    } finally {
      try {
        Files.deleteIfExists(dir);
      } catch (IOException ignored) {
        // a temporary directory left behind is harmless
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    ctx.progress(
        "fuzz: %d cases in %.0f s: %d ok, %d insufficient memory, %d errors (%d"
            + " OutOfMemoryError, %d timeouts)",
        cases, seconds, ok, insufficient, errors, oom, timeouts);
    return Json.object()
        .put("scenario", "fuzz")
        .put("cases", cases)
        .put("seed", seed)
        .put("featselRuns", runs)
        .put("ok", ok)
        .put("insufficientMemory", insufficient)
        .put("errors", errors)
        .put("outOfMemory", oom)
        .put("timeouts", timeouts)
        .put("seconds", Math.round(seconds * 10) / 10.0)
        .put("results", results);
  }
}
