package io.memguard.bench;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.FitReport;
import io.memguard.autofeat.ModelRegistry;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.ReservationLeak;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The main demo: AutoFeat on the bundled synthetic data inside memguard scopes. A first fit runs
 * within the manager's budget (its normal plan when the free heap allows it, else a lightweight
 * one, and the summary says which); a second fit runs in a scope limited to a small budget,
 * switches to its lightweight plan and still finds the formula's terms. Progress goes to stderr,
 * with the scope tree while a model is held; the run ends with the selected features, test R^2 and
 * the memory figures, and nothing left reserved.
 */
final class DemoScenario implements Scenario {

  static final String DATA = "/data/synthetic_n2000_seed0.csv";
  static final String SPLIT = "/data/synthetic_n2000_seed0_test_idx.txt";

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String usage() {
    return "demo [--steps N (3)] [--budget SIZE (96m)] [--tight-budget SIZE (6m)] [--seed N (0)]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) {
    int steps = ctx.intValue("steps", 3);
    long budget = ctx.bytes("budget", 96L << 20);
    long tight = ctx.bytes("tight-budget", 6L << 20);
    long seed = ctx.longValue("seed", 0);
    ctx.rejectUnused();

    long start = System.nanoTime();
    List<ReservationLeak> leaks = new CopyOnWriteArrayList<>();
    try (MemoryFigures figures = MemoryFigures.start();
        MemoryManager memory =
            MemoryManager.builder().name("demo").limit(MemorySize.ofBytes(budget)).build();
        ModelRegistry registry = ModelRegistry.of(memory, "autofeat-models")) {
      memory.addLeakListener(
          leak -> {
            leaks.add(leak);
            ctx.progress("leak: %s", leak.describe());
          });
      Dataset.Split data = bundled();
      ctx.progress(
          "bundled synthetic data: %d training rows, %d test rows, features %s;"
              + " target = 2 + 15*x1 + 3/(x2 - 1/x3) + 5*(x2 + log(x1))^3 + noise",
          data.train().rows(), data.test().rows(), data.train().names());
      AutoFeatProcessor processor =
          AutoFeatProcessor.builder()
              .featureEngineeringSteps(steps)
              .seed(seed)
              .registry(registry)
              .listener(new AutoFeatScenario.ProgressPrinter(ctx))
              .build();

      ctx.progress(
          "%n1) fit in scope 'demo/autofeat' with the manager's budget of %s",
          MemorySize.format(budget));
      Result normal;
      try (MemoryScope scope = memory.openScope("autofeat")) {
        normal = fit(ctx, processor, scope, data, memory, true);
      }

      ctx.progress(
          "%n2) the same fit in scope 'demo/tight' limited to %s", MemorySize.format(tight));
      Result light;
      try (MemoryScope scope = memory.openScope("tight", MemorySize.ofBytes(tight))) {
        light = fit(ctx, processor, scope, data, memory, false);
      }

      double seconds = (System.nanoTime() - start) / 1e9;
      long peakHeap = figures.peakHeapUsedBytes();
      long peakRss = MemoryFigures.peakRssBytes();
      ctx.progress(
          "%nmodels registered %d (held weakly: closed and dropped, they go with the next"
              + " GC); reserved now %s; leaks %d",
          registry.registeredCount(), MemorySize.format(memory.reservedBytes()), leaks.size());
      ctx.progress("features: %s", normal.report.features());
      ctx.progress(
          "test R^2 %.5f (%s plan, peak reserved %s), %.5f (lightweight in %s,"
              + " peak reserved %s)",
          normal.r2,
          normal.report.lightweight() ? "lightweight" : "normal",
          MemorySize.format(normal.report.peakReservedBytes()),
          light.r2,
          MemorySize.format(tight),
          MemorySize.format(light.report.peakReservedBytes()));
      ctx.progress(
          "process: peak heap used %s of %s, peak RSS %s; done in %.2f s",
          MemorySize.format(peakHeap),
          MemorySize.format(figures.heapMaxBytes()),
          peakRss < 0 ? "unknown" : MemorySize.format(peakRss),
          seconds);
      return Json.object()
          .put("scenario", "demo")
          .put("steps", steps)
          .put("features", normal.report.features())
          .put("testR2", normal.r2)
          .put("fitSeconds", AutoFeatScenario.round(normal.seconds, 3))
          .put("peakReservedBytes", normal.report.peakReservedBytes())
          .put("budgetBytes", budget)
          .put("lightweight", light.report.lightweight())
          .put("lightweightReason", light.report.lightweightReason())
          .put("lightweightFeatures", light.report.features())
          .put("lightweightTestR2", light.r2)
          .put("lightweightPeakReservedBytes", light.report.peakReservedBytes())
          .put("tightBudgetBytes", tight)
          .put("batches", normal.report.batches().size() + light.report.batches().size())
          .put("reservedAtEndBytes", memory.reservedBytes())
          .put("leaksReported", leaks.size())
          .put("peakHeapUsedBytes", peakHeap)
          .put("peakRssBytes", peakRss)
          .put("seconds", AutoFeatScenario.round(seconds, 3));
    }
  }

  private record Result(FitReport report, double r2, double seconds) {}

  private static Result fit(
      ScenarioContext ctx,
      AutoFeatProcessor processor,
      MemoryScope scope,
      Dataset.Split data,
      MemoryManager memory,
      boolean showTree) {
    long t0 = System.nanoTime();
    try (AutoFeatModel model = processor.fit(scope, data.train())) {
      double seconds = (System.nanoTime() - t0) / 1e9;
      double r2 = model.score(data.test());
      ctx.progress("%s", model.report().describe().stripTrailing());
      ctx.progress("test R^2 %.5f", r2);
      if (showTree) {
        ctx.progress(
            "scope tree while the model is held (only its own bytes remain):%n%s",
            memory.snapshot().toTreeString().stripTrailing());
      }
      return new Result(model.report(), r2, seconds);
    }
  }

  /** The bundled synthetic data set with its reference split. */
  static Dataset.Split bundled() {
    Dataset all;
    try (Reader r = resource(DATA)) {
      all = Dataset.readCsv(r, "target", DATA);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Reader r = resource(SPLIT)) {
      return all.split(Dataset.readIndices(r, SPLIT));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Reader resource(String name) {
    InputStream in = DemoScenario.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("bundled data " + name + " is missing from the jar");
    }
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }
}
