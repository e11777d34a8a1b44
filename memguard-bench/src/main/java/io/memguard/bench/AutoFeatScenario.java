package io.memguard.bench;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.FitListener;
import io.memguard.autofeat.FitPhase;
import io.memguard.autofeat.FitProgress;
import io.memguard.autofeat.FitReport;
import io.memguard.autofeat.InsufficientMemoryException;
import io.memguard.autofeat.LightweightEvent;
import io.memguard.autofeat.LightweightPolicy;
import io.memguard.autofeat.ProblemType;
import io.memguard.core.MemoryBudgetExceededException;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fits an AutoFeat model on a CSV file inside a memguard scope and reports time, quality and
 * memory: the measurement behind {@code docs/performance.md}. Progress goes to stderr; the last
 * stdout line is the JSON result.
 */
final class AutoFeatScenario implements Scenario {

  @Override
  public String name() {
    return "autofeat";
  }

  @Override
  public String usage() {
    return "autofeat (--csv PATH --target NAME [--test-rows FILE] [--categorical COL,...] | --generated"
        + " SPEC) [--feateng-cols COL,... (all)] [--units COL=UNIT,... (none)]"
        + " [--pi-theorem true|false (true)] [--steps N (2)]"
        + " [--featsel-runs N (5)] [--budget SIZE (80% of max heap)] [--seed N (0)]"
        + " [--problem regression|classification] [--lightweight auto|never|always]"
        + " [--parallelism N (available processors)] [--repeat K (1): fit K times in this JVM,"
        + " report the last (JIT warm)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) {
    String generated = ctx.string("generated", null);
    Path csv = generated == null ? Path.of(ctx.required("csv")) : null;
    String target = generated == null ? ctx.required("target") : null;
    String testRows = ctx.string("test-rows", null);
    String categorical = ctx.string("categorical", null);
    String featengCols = ctx.string("feateng-cols", null);
    java.util.Map<String, String> units = units(ctx.string("units", ""));
    String pi = ctx.string("pi-theorem", "true");
    if (!pi.equals("true") && !pi.equals("false")) {
      throw new IllegalArgumentException("--pi-theorem takes true or false, got '" + pi + "'");
    }
    boolean piTheorem = pi.equals("true");
    if (categorical != null && generated != null) {
      throw new IllegalArgumentException(
          "--categorical names columns of a --csv file; generated data has none");
    }
    int steps = ctx.intValue("steps", 2);
    int runs = ctx.intValue("featsel-runs", 5);
    long budget = ctx.bytes("budget", -1);
    long seed = ctx.longValue("seed", 0);
    int parallelism = ctx.intValue("parallelism", Runtime.getRuntime().availableProcessors());
    int repeat = ctx.intValue("repeat", 1);
    if (repeat < 1) {
      throw new IllegalArgumentException("--repeat must be >= 1, got " + repeat);
    }
    ProblemType problem = parse(ProblemType.class, ctx.string("problem", "regression"), "problem");
    LightweightPolicy policy =
        parse(LightweightPolicy.class, ctx.string("lightweight", "auto"), "lightweight");
    ctx.rejectUnused();

    try (MemoryFigures figures = MemoryFigures.start()) {
      // read in a method of its own: the whole table, before the split, is unreachable once it
      // returns, so the fit's live heap does not count it
      Loaded loaded = load(generated, csv, target, testRows, categorical);
      Dataset train = loaded.train();
      Dataset test = loaded.test();
      String source = loaded.source();
      if (loaded.problem() != null) {
        problem = loaded.problem();
      }
      figures.restartLiveBaseline(
          train.estimatedBytes() + (test == null ? 0 : test.estimatedBytes()));
      ctx.progress(
          "autofeat: %s, %d training rows x %d features%s, %d steps, %d selection runs",
          source,
          train.rows(),
          train.featureCount(),
          test == null ? "" : ", " + test.rows() + " test rows",
          steps,
          runs);

      AutoFeatProcessor processor =
          AutoFeatProcessor.builder()
              .problemType(problem)
              .featureEngineeringSteps(steps)
              .featureSelectionRuns(runs)
              .seed(seed)
              .lightweight(policy)
              .parallelism(parallelism)
              .featureEngineeringColumns(
                  featengCols == null
                      ? List.of()
                      : java.util.Arrays.stream(featengCols.split(","))
                          .map(String::strip)
                          .filter(c -> !c.isEmpty())
                          .toList())
              .units(units)
              .applyPiTheorem(piTheorem)
              .listener(new ProgressPrinter(ctx))
              .build();
      MemoryManager.Builder mb = MemoryManager.builder().name("bench");
      if (budget > 0) {
        mb.limit(MemorySize.ofBytes(budget));
      }
      try (MemoryManager memory = mb.build()) {
        ctx.progress(
            "budget %s (max heap %s)",
            MemorySize.format(memory.budgetBytes()), MemorySize.format(figures.heapMaxBytes()));
        List<Double> earlierFits = new ArrayList<>();
        for (int r = 1; r < repeat; r++) {
          long t0 = System.nanoTime();
          try (MemoryScope warmup = memory.openScope("warm-up-" + r);
              AutoFeatModel model = processor.fit(warmup, train)) {
            earlierFits.add(round((System.nanoTime() - t0) / 1e9, 3));
            ctx.progress(
                "fit %d of %d: %.3f s (%d features)",
                r, repeat, earlierFits.get(r - 1), model.features().size());
          } catch (InsufficientMemoryException e) {
            return insufficient(
                source, problem, train, test, steps, runs, seed, memory, figures, e);
          }
        }
        long start = System.nanoTime();
        try (MemoryScope scope = memory.openScope("autofeat")) {
          AutoFeatModel fitted;
          try {
            fitted = processor.fit(scope, train);
          } catch (InsufficientMemoryException e) {
            return insufficient(
                source, problem, train, test, steps, runs, seed, memory, figures, e);
          }
          try (AutoFeatModel model = fitted) {
            double fitSeconds = (System.nanoTime() - start) / 1e9;
            FitReport r = model.report();
            double score;
            try {
              score = test == null ? Double.NaN : model.score(test);
            } catch (MemoryBudgetExceededException e) {
              // the fit completed; scoring was refused before it allocated: a refusal, not an error
              System.err.println("autofeat: not enough memory to score: " + e.getMessage());
              return processFigures(
                      head("insufficient-memory", source, problem, train, test, steps, runs, seed)
                          .put("fitSeconds", round(fitSeconds, 3))
                          .put("featuresSelected", r.featuresSelected())
                          .put("peakReservedBytes", r.peakReservedBytes()),
                      memory,
                      figures)
                  .put("lightweight", r.lightweight())
                  .put("plan", r.plan().describe())
                  .put("refusedIn", "score")
                  .put("message", "scoring refused after the fit completed: " + e.getMessage());
            }
            ctx.progress("%s", r.describe().stripTrailing());
            if (test != null) {
              ctx.progress(
                  "test %s %.5f", problem == ProblemType.REGRESSION ? "R^2" : "accuracy", score);
            }
            long peakHeap = figures.peakHeapUsedBytes();
            long peakLive = figures.peakLiveHeapBytes();
            long peakRss = MemoryFigures.peakRssBytes();
            ctx.progress(
                "peak reserved %s, peak heap used %s, peak RSS %s",
                MemorySize.format(r.peakReservedBytes()),
                MemorySize.format(peakHeap),
                peakRss < 0 ? "unknown" : MemorySize.format(peakRss));
            return head("ok", source, problem, train, test, steps, runs, seed)
                .put("fitSeconds", round(fitSeconds, 3))
                .put("candidatesComputed", r.candidatesComputed())
                .put("candidatesAccepted", r.candidatesAccepted())
                .put("candidatesGenerated", r.candidatesGenerated())
                .put("featuresSelected", r.featuresSelected())
                .put(
                    problem == ProblemType.REGRESSION ? "testR2" : "testAccuracy",
                    Double.isNaN(score) ? null : score)
                .put("budgetBytes", memory.budgetBytes())
                .put("peakReservedBytes", r.peakReservedBytes())
                .put("peakHeapUsedBytes", peakHeap)
                .put("peakLiveHeapBytes", peakLive)
                .put("allocatedBytes", r.allocatedBytes())
                .put("collections", figures.collections())
                .put("heapMaxBytes", figures.heapMaxBytes())
                .put("peakRssBytes", peakRss)
                .put("lightweight", r.lightweight())
                .put("lightweightReason", r.lightweightReason())
                .put("searchRows", r.plan().searchRows())
                .put("plan", r.plan().describe())
                .put("batches", r.batches().size())
                .put("features", r.features())
                .put("earlierFitSeconds", earlierFits);
          }
        }
      }
    }
  }

  /** The fields every result starts with. */
  private static Json.JsonObject head(
      String outcome,
      String source,
      ProblemType problem,
      Dataset train,
      Dataset test,
      int steps,
      int runs,
      long seed) {
    return Json.object()
        .put("scenario", "autofeat")
        .put("outcome", outcome)
        .put("csv", source)
        .put("problem", problem.name().toLowerCase(Locale.ROOT))
        .put("rows", train.rows())
        .put("testRows", test == null ? 0 : test.rows())
        .put("steps", steps)
        .put("featselRuns", runs)
        .put("seed", seed);
  }

  private Json.JsonObject insufficient(
      String source,
      ProblemType problem,
      Dataset train,
      Dataset test,
      int steps,
      int runs,
      long seed,
      MemoryManager memory,
      MemoryFigures figures,
      InsufficientMemoryException e) {
    System.err.println("autofeat: not enough memory: " + e.getMessage());
    return processFigures(
            head("insufficient-memory", source, problem, train, test, steps, runs, seed)
                .put("neededBytes", e.neededBytes())
                .put("availableBytes", e.availableBytes())
                .put("peakReservedBytes", memory.peakReservedBytes()),
            memory,
            figures)
        .put("message", e.getMessage());
  }

  /** The budget and the process's heap and RSS figures of a refused case. */
  private static Json.JsonObject processFigures(
      Json.JsonObject o, MemoryManager memory, MemoryFigures figures) {
    return o.put("budgetBytes", memory.budgetBytes())
        .put("peakHeapUsedBytes", figures.peakHeapUsedBytes())
        .put("peakLiveHeapBytes", figures.peakLiveHeapBytes())
        .put("heapMaxBytes", figures.heapMaxBytes())
        .put("peakRssBytes", MemoryFigures.peakRssBytes());
  }

  static <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--"
              + option
              + " must be one of "
              + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
              + ", got '"
              + value
              + "'");
    }
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  /** Prints one stderr line per finished step or selection run, and lightweight switches. */
  static final class ProgressPrinter implements FitListener {
    private final ScenarioContext ctx;
    private final long start = System.nanoTime();
    private String last = "";

    ProgressPrinter(ScenarioContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void onProgress(FitProgress p) {
      boolean stepDone = p.percent() >= 100 && p.batch() == p.batches();
      String key = p.phase() + "/" + p.step();
      if (stepDone && !key.equals(last) && !(p.phase() == FitPhase.SELECT && p.step() == 0)) {
        last = key;
        double t = (System.nanoTime() - start) / 1e9;
        if (p.phase() == FitPhase.MODEL) {
          ctx.progress("  %6.2f s  MODEL    done", t);
        } else {
          ctx.progress(
              "  %6.2f s  %-8s %s %d/%d done (%d batches)",
              t,
              p.phase(),
              p.phase() == FitPhase.SELECT ? "run" : "step",
              p.step(),
              p.steps(),
              p.batches());
        }
      }
    }

    @Override
    public void onLightweight(LightweightEvent e) {
      ctx.progress("  lightweight mode (%s): %s; %s", e.phase(), e.reason(), e.plan().describe());
    }
  }

  /** {@code "a=m/s,b=kg"} as a map, in the order given. */
  static java.util.Map<String, String> units(String spec) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String pair : spec.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--units takes COL=UNIT pairs separated by commas, such as rho=kg/m^3,v=m/s; got '"
                + pair
                + "'");
      }
      if (out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip()) != null) {
        throw new IllegalArgumentException(
            "--units gives column '" + pair.substring(0, eq).strip() + "' twice; give each once");
      }
    }
    return out;
  }

  /** The training and test rows, the problem of generated data (else null), what they are. */
  private record Loaded(Dataset train, Dataset test, ProblemType problem, String source) {}

  private static Loaded load(
      String generated, Path csv, String target, String testRows, String categorical) {
    if (generated != null) {
      GeneratedData.Generated g = GeneratedData.generate(generated);
      Dataset.Split split = g.split();
      return new Loaded(
          split.train(), split.test(), g.problem(), generated + " (" + g.description() + ")");
    }
    Dataset all =
        categorical == null
            ? Dataset.fromCsv(csv, target)
            : Dataset.fromCsv(
                csv,
                target,
                java.util.Arrays.stream(categorical.split(","))
                    .map(String::strip)
                    .filter(c -> !c.isEmpty())
                    .toList());
    if (testRows == null) {
      return new Loaded(all, null, null, csv.toString());
    }
    Dataset.Split split = all.split(Dataset.readIndices(Path.of(testRows)));
    return new Loaded(split.train(), split.test(), null, csv.toString());
  }
}
