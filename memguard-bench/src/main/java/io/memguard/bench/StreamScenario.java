package io.memguard.bench;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Categories;
import io.memguard.autofeat.CsvSource;
import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.ProblemType;
import io.memguard.autofeat.StreamReport;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * {@code stream}: a file larger than the heap, fitted and transformed without ever being held.
 * Writes (or reads with {@code --csv}) a synthetic CSV of N rows, fits AutoFeat on it from a {@link
 * CsvSource} (the search on a seeded sample, the final model over every row), transforms the whole
 * file to an output CSV block by block, and scores the model on a held-out file. Run it in a small
 * heap ({@code java -Xmx128m -jar memguard-bench.jar stream --rows 10000000}); the JSON reports the
 * peak live heap (after collections) and the peak RSS over the whole run.
 *
 * <p>The data: autofeat's example formula, as {@code gen-synthetic} writes it ({@code x1 ~ U[0,1),
 * x2 ~ N(0,1), x3 ~ U[0,1)}, {@code y = 2 + 15 x1 + 3/(x2 - 1/x3) + 5 (x2 + log x1)^3} plus noise
 * of 1% of y's deviation), drawn row by row so that no column is held; {@code --columns} above 3
 * adds uniform columns the target ignores.
 */
final class StreamScenario implements Scenario {

  @Override
  public String name() {
    return "stream";
  }

  @Override
  public String usage() {
    return "stream --rows N [--columns 3] [--steps 2] [--chunk-rows auto|N] [--csv FILE --target"
        + " NAME [--categorical COL,...]] [--problem regression|classification] [--test-rows N] [--seed N (0)]"
        + " [--dir DIR] [--keep false]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    String csv = ctx.string("csv", null);
    long rows = csv == null ? ctx.longValue("rows", -1) : -1;
    int columns = ctx.intValue("columns", 3);
    int steps = ctx.intValue("steps", 2);
    String chunk = ctx.string("chunk-rows", "auto");
    String target = ctx.string("target", "target");
    String categorical = ctx.string("categorical", null);
    long seed = ctx.longValue("seed", 0);
    int testRows = ctx.intValue("test-rows", 100_000);
    boolean keep = Boolean.parseBoolean(ctx.string("keep", "false"));
    String dirOption = ctx.string("dir", null);
    String problemName = ctx.string("problem", "regression");
    ProblemType problem =
        switch (problemName) {
          case "regression" -> ProblemType.REGRESSION;
          case "classification" -> ProblemType.CLASSIFICATION;
          default ->
              throw new IllegalArgumentException(
                  "--problem must be regression or classification, got " + problemName);
        };
    ctx.rejectUnused();
    if (csv == null && rows < 10) {
      throw new IllegalArgumentException("--rows must be >= 10 (or give --csv FILE), got " + rows);
    }
    if (columns < 3) {
      throw new IllegalArgumentException("--columns must be >= 3, got " + columns);
    }
    int chunkRows = chunk.equals("auto") ? 0 : Integer.parseInt(chunk);
    if (chunkRows < 0) {
      throw new IllegalArgumentException("--chunk-rows must be auto or >= 1, got " + chunk);
    }
    Path dir =
        dirOption != null
            ? Files.createDirectories(Path.of(dirOption))
            : Files.createTempDirectory("memguard-stream");
    try (MemoryFigures figures = MemoryFigures.start()) {
      Path train;
      Path test;
      if (csv == null) {
        train = dir.resolve("train.csv");
        test = dir.resolve("test.csv");
        long t = System.nanoTime();
        write(train, rows, columns, seed, problem);
        write(test, testRows, columns, seed + 1, problem);
        ctx.progress(
            "wrote %d rows (%s) to %s in %.1f s",
            rows, MemorySize.format(Files.size(train)), train, (System.nanoTime() - t) / 1e9);
      } else {
        train = Path.of(csv);
        test = null;
      }
      Path output = dir.resolve("transformed.csv");
      AutoFeatProcessor processor =
          AutoFeatProcessor.builder()
              .problemType(problem)
              .featureEngineeringSteps(steps)
              .seed(seed)
              .build();
      try (MemoryManager memory =
              MemoryManager.builder()
                  .name("stream")
                  .limit(MemorySize.percentOfMaxHeap(80))
                  .build();
          MemoryScope scope = memory.openScope("pipeline")) {
        ctx.progress(
            "before the fit: live-heap estimate %s, heap after the last collection %s, in use %s",
            MemorySize.format(memory.liveHeapEstimateBytes()),
            MemorySize.format(MemoryManager.heapUsedAfterLastCollectionBytes()),
            MemorySize.format(
                Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()));
        long fitStart = System.nanoTime();
        AutoFeatModel model;
        Categories categories =
            categorical == null
                ? Categories.none()
                : Categories.scan(train, java.util.List.of(categorical.split(",")));
        try (CsvSource source = CsvSource.open(train, target, categories)) {
          model = processor.fit(scope, source);
        }
        double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
        ctx.progress("fit in %.1f s: %s, %s", fitSeconds, model.features(), model.rows());
        model.report().decisions().stream()
            .filter(d -> d.startsWith("final model:"))
            .forEach(d -> ctx.progress("%s", d));
        try (model) {
          StreamReport transform;
          LiveHeapTrace trace = new LiveHeapTrace();
          try (MemoryScope transformScope = scope.openChild("transform")) {
            trace.start();
            transform = model.transformCsv(train, output, transformScope, chunkRows);
          } finally {
            trace.stop();
          }
          ctx.progress("transform: %s", transform);
          Double score = null;
          if (test != null) {
            score = model.score(Dataset.fromCsv(test, target, model.categories()));
          }
          boolean regression = problem == ProblemType.REGRESSION;
          long fileBytes = Files.size(train);
          long outputBytes = Files.size(output);
          return Json.object()
              .put("scenario", "stream")
              .put("rows", transform.rows())
              .put("fileBytes", fileBytes)
              .put("fitSeconds", round(fitSeconds))
              .put("transformSeconds", round(transform.seconds()))
              .put("rowsPerSecond", Math.round(transform.rowsPerSecond()))
              .put("testR2", regression ? score : null)
              .put("peakLiveHeapBytes", figures.peakLiveHeapBytes())
              .put("peakRssBytes", MemoryFigures.peakRssBytes())
              .put("sampleRows", model.rows().sampleRows())
              .put("finalModelRows", model.rows().finalModelRows())
              .put("blockRows", transform.blockRows())
              .put("workingSetBytes", transform.workingSetBytes())
              .put("outputBytes", outputBytes)
              .put("features", model.features().size())
              .put("transformLiveHeapMaxBytes", trace.max())
              .put("transformLiveHeapFirstHalfMeanBytes", trace.meanOfHalf(0))
              .put("transformLiveHeapSecondHalfMeanBytes", trace.meanOfHalf(1))
              .put("heapMaxBytes", Runtime.getRuntime().maxMemory())
              .put("problem", problem.name().toLowerCase(Locale.ROOT))
              .put("testAccuracy", regression ? null : score);
        }
      }
    } finally {
      if (!keep && dirOption == null) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(StreamScenario::deleteQuietly);
        }
      }
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a leftover temporary file is not worth failing the run
    }
  }

  /** {@link #write(Path, long, int, long, ProblemType)} of a regression target. */
  static void write(Path file, long rows, int columns, long seed) {
    write(file, rows, columns, seed, ProblemType.REGRESSION);
  }

  /**
   * Writes {@code rows} rows, drawing each row's values in turn (two passes: y's deviation). For
   * classification the target is 1 where y, plus noise of a quarter of its interquartile range, is
   * above its median, else 0 (median and range of a fixed reference draw, so that every file has
   * the same rule; y's deviation is dominated by the poles of 3/(x2 - 1/x3)).
   */
  static void write(Path file, long rows, int columns, long seed, ProblemType problem) {
    boolean classes = problem == ProblemType.CLASSIFICATION;
    double[] row = new double[columns];
    double noise;
    double threshold = 0;
    if (classes) {
      double[] quartiles = referenceQuartiles(columns);
      threshold = quartiles[1];
      noise = 0.25 * (quartiles[2] - quartiles[0]);
    } else {
      double mean = 0;
      double m2 = 0;
      SplittableRandom first = new SplittableRandom(seed);
      for (long i = 0; i < rows; i++) {
        double y = draw(first, row);
        first.nextGaussian(); // the noise, drawn in the second pass
        double delta = y - mean;
        mean += delta / (i + 1);
        m2 += delta * (y - mean);
      }
      noise = 0.01 * Math.sqrt(m2 / rows);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    StringBuilder line = new StringBuilder(128);
    try (Writer w =
        new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
      for (int j = 1; j <= columns; j++) {
        w.write("x" + j + ",");
      }
      w.write("target\n");
      for (long i = 0; i < rows; i++) {
        double y = draw(rnd, row) + noise * rnd.nextGaussian();
        if (classes) {
          y = y > threshold ? 1 : 0;
        }
        line.setLength(0);
        for (double v : row) {
          line.append(v).append(',');
        }
        line.append(y).append('\n');
        w.append(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** The noiseless target's quartiles over 100,001 rows drawn with a fixed seed. */
  private static double[] referenceQuartiles(int columns) {
    int n = 100_001;
    double[] y = new double[n];
    double[] row = new double[columns];
    SplittableRandom rnd = new SplittableRandom(0x5EED);
    for (int i = 0; i < n; i++) {
      y[i] = draw(rnd, row);
    }
    java.util.Arrays.sort(y);
    return new double[] {y[n / 4], y[n / 2], y[3 * n / 4]};
  }

  /**
   * {@code n} rows of three columns drawn as {@link #write} draws them, the noise 1% of the drawn
   * targets' standard deviation, in memory.
   */
  static io.memguard.autofeat.Dataset drawn(int n, long seed) {
    double[][] x = new double[3][n];
    double[] y = new double[n];
    double[] row = new double[3];
    SplittableRandom rnd = new SplittableRandom(seed);
    double mean = 0;
    for (int i = 0; i < n; i++) {
      y[i] = draw(rnd, row);
      for (int j = 0; j < 3; j++) {
        x[j][i] = row[j];
      }
      mean += y[i] / n;
    }
    double ss = 0;
    for (double v : y) {
      ss += (v - mean) * (v - mean);
    }
    double noise = 0.01 * Math.sqrt(ss / n);
    for (int i = 0; i < n; i++) {
      y[i] += noise * rnd.nextGaussian();
    }
    return io.memguard.autofeat.Dataset.of(java.util.List.of("x1", "x2", "x3"), x, y);
  }

  /** One row's inputs into {@code row} and its noiseless target (the noise is drawn after). */
  private static double draw(SplittableRandom rnd, double[] row) {
    double x1 = rnd.nextDouble();
    double x2 = rnd.nextGaussian();
    double x3 = rnd.nextDouble();
    row[0] = x1;
    row[1] = x2;
    row[2] = x3;
    for (int j = 3; j < row.length; j++) {
      row[j] = rnd.nextDouble();
    }
    return GeneratedData.exampleFormula(x1, x2, x3);
  }

  /**
   * The heap in use after each collection during the transform, polled every 50 ms from the
   * collectors' reports: its peak and the means of the first and second half of the pass say
   * whether the live heap stayed flat.
   */
  private static final class LiveHeapTrace {
    private final java.util.List<Long> readings = new java.util.ArrayList<>();
    private volatile boolean running;
    private Thread thread;

    void start() {
      running = true;
      thread =
          new Thread(
              () -> {
                while (running) {
                  long v = MemoryManager.heapUsedAfterLastCollectionBytes();
                  if (v >= 0) {
                    synchronized (readings) {
                      readings.add(v);
                    }
                  }
                  try {
                    Thread.sleep(50);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "stream-live-heap-trace");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    long max() {
      synchronized (readings) {
        return readings.stream().mapToLong(Long::longValue).max().orElse(-1);
      }
    }

    long meanOfHalf(int half) {
      synchronized (readings) {
        int n = readings.size();
        if (n < 2) {
          return -1;
        }
        java.util.List<Long> part =
            half == 0 ? readings.subList(0, n / 2) : readings.subList(n / 2, n);
        return Math.round(part.stream().mapToLong(Long::longValue).average().orElse(-1));
      }
    }
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
