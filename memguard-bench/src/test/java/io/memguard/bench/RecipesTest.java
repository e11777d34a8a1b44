package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.ProblemType;
import io.memguard.core.BatchDecision;
import io.memguard.core.LeakDetection;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.PressureLevel;
import io.memguard.core.Reservation;
import io.memguard.core.TaskOutcome;
import io.memguard.core.TaskRequest;
import io.memguard.monitor.AlertChannels;
import io.memguard.monitor.AlertRule;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.Metric;
import io.memguard.monitor.MonitorConfig;
import io.memguard.monitor.Severity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recipes of docs/recipes.md, run: each snippet between its markers is the recipe's text (the
 * last test compares them), and each test checks that the recipe does what the page says.
 */
class RecipesTest {
  private static final Logger log = LoggerFactory.getLogger(RecipesTest.class);
  private static final Path DATA = Path.of("src", "main", "resources", "data");
  private static final Path CORPUS = Path.of("src", "main", "resources", "corpus");

  @Test
  void guardAPipeline_batchesThroughItsGrantAndEndsWithNothingReserved() {
    String printed =
        stdout(
            () -> {
              // recipe 1 begins
              try (MemoryManager memory =
                      MemoryManager.builder().limit(MemorySize.percentOfMaxHeap(80)).build();
                  MemoryMonitor monitor = MemoryMonitor.start(memory)) { // runs the 95% guard
                long bytesPerRow = 50 * Double.BYTES;
                TaskOutcome<Long> outcome =
                    memory
                        .allocator()
                        .run(
                            TaskRequest.named("nightly-features")
                                .minBytes(4 << 20)
                                .desiredBytes(32 << 20),
                            grant -> {
                              long rows = 0;
                              while (rows < 200_000) {
                                grant.cancellation().throwIfCancelled("between batches");
                                BatchDecision d = grant.batchSize(bytesPerRow, 100, 50_000);
                                try (Reservation batch =
                                    grant.scope().reserve(d.batchSize() * bytesPerRow)) {
                                  double[] values = new double[d.batchSize() * 50];
                                  rows += values.length / 50; // ... compute the batch ...
                                }
                              }
                              return rows;
                            });
                System.out.println(
                    outcome.status()
                        + ": "
                        + outcome.result()
                        + " rows, "
                        + memory.reservedBytes()
                        + " bytes still reserved");
              }
              // recipe 1 ends
            });
    assertThat(printed).contains("COMPLETED: 200000 rows, 0 bytes still reserved");
  }

  @Test
  void concurrentFits_shareThePoolAndAllComplete() throws Exception {
    Path csv = DATA.resolve("synthetic_n2000_seed0.csv");
    Path testRows = DATA.resolve("synthetic_n2000_seed0_test_idx.txt");
    List<Double> scores = new CopyOnWriteArrayList<>();
    // recipe 2 begins
    Dataset.Split data = Dataset.fromCsv(csv, "target").split(Dataset.readIndices(testRows));
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder().featureEngineeringSteps(2).featureSelectionRuns(2).build();
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(96)).build()) {
      List<CompletableFuture<TaskOutcome<Double>>> fits = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        TaskRequest request =
            TaskRequest.named("fit-" + i)
                .minBytes(8 << 20)
                .desiredBytes(64 << 20)
                .timeout(Duration.ofMinutes(5));
        fits.add(
            CompletableFuture.supplyAsync(
                () ->
                    memory
                        .allocator()
                        .run(
                            request,
                            grant -> {
                              try (AutoFeatModel model = processor.fit(grant, data.train())) {
                                return model.score(data.test());
                              }
                            })));
      }
      for (CompletableFuture<TaskOutcome<Double>> fit : fits) {
        TaskOutcome<Double> outcome = fit.get();
        System.out.println(
            outcome.taskName() + " " + outcome.status() + " R^2 " + outcome.result());
        scores.add(outcome.result());
      }
    }
    // recipe 2 ends
    assertThat(scores).hasSize(3).allSatisfy(r2 -> assertThat(r2).isGreaterThan(0.85));
  }

  @Test
  void alerts_reachALoggerAndAWebhook() throws Exception {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          received.add(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();
    URI hook = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    try {
      // recipe 3 begins
      AtomicLong rowsDropped = new AtomicLong();
      try (MemoryManager memory = MemoryManager.ofDefaults();
          MemoryMonitor monitor = MemoryMonitor.start(memory, MonitorConfig.ofDefaults())) {
        monitor.alerts().addListener(event -> log.warn("memguard: {}", event));
        monitor.alerts().addChannel(AlertChannels.webhook(hook), Severity.WARNING);
        monitor
            .alerts()
            .addRule(
                AlertRule.builder("rows-dropped")
                    .metric(
                        Metric.of("pipeline.rows-dropped", Metric.COUNT, s -> rowsDropped.get()))
                    .above(1)
                    .clearAt(0)
                    .forAtLeast(Duration.ZERO)
                    .severity(Severity.WARNING)
                    .build());
        rowsDropped.addAndGet(42); // the pipeline reports what it had to drop
        monitor.sampleNow(); // the sampler thread does this every second
        // recipe 3 ends
        String body = received.poll(30, TimeUnit.SECONDS);
        assertThat(body).contains("\"type\":\"FIRED\"", "rows-dropped", "WARNING");
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aLeakReport_namesTheScopeTheBytesAndWhereTheReservationWasMade() {
    List<String> reports = new CopyOnWriteArrayList<>();
    // recipe 4 begins
    try (MemoryManager memory =
        MemoryManager.builder()
            .limit(MemorySize.ofMebibytes(64))
            .leakDetection(LeakDetection.TRACK_SITES) // or -Dmemguard.leakDetection=track-sites
            .build()) {
      memory.addLeakListener(
          leak -> {
            reports.add(leak.describe());
            leak.allocationSites().forEach(site -> log.warn("reserved here", site));
          });
      MemoryScope step = memory.openScope("join-step");
      step.reserve(1 << 20); // forgotten: never closed
      step.close(); // the close releases it and reports it
    }
    // recipe 4 ends
    assertThat(reports)
        .singleElement()
        .asString()
        .contains(
            "1 reservation (1.0 MiB) in scope",
            "join-step",
            "was still held when the scope closed");
  }

  @Test
  void tuneTheBudget_scopeLimitsAndPressureLevels() {
    List<PressureLevel> levels = new CopyOnWriteArrayList<>();
    // recipe 5 begins
    try (MemoryManager memory =
        MemoryManager.builder()
            .limit(MemorySize.ofMebibytes(100)) // or percentOfMaxHeap(60)
            .pressureThresholds(0.70, 0.85, 0.95) // ELEVATED, CRITICAL, EMERGENCY
            .build()) {
      memory.addPressureListener(change -> levels.add(change.current()));
      try (MemoryScope training = memory.openScope("training", MemorySize.ofMebibytes(80));
          Reservation features = training.reserve(75L << 20)) {
        System.out.println(memory.pressureLevel() + ", " + training.availableBytes() + " left");
      }
    }
    // recipe 5 ends
    assertThat(levels).contains(PressureLevel.ELEVATED, PressureLevel.NORMAL);
  }

  @Test
  void classLabels_fitPredictAndSave(@TempDir Path dir) throws Exception {
    // the bundled iris with its classes named, as such files usually come
    Path csv = dir.resolve("iris.csv");
    List<String> names = List.of("setosa", "versicolor", "virginica");
    StringBuilder named = new StringBuilder();
    for (String line : Files.readAllLines(CORPUS.resolve("iris.csv"))) {
      int comma = line.lastIndexOf(',');
      String last = line.substring(comma + 1);
      named
          .append(line, 0, comma + 1)
          .append(last.equals("target") ? "species" : names.get((int) Double.parseDouble(last)))
          .append('\n');
    }
    Files.writeString(csv, named);
    Path testRows = CORPUS.resolve("iris_seed0_test_idx.txt");
    Path modelFile = dir.resolve("iris.model");
    List<List<String>> predictions = new ArrayList<>();
    String printed =
        stdout(
            () -> {
              // recipe 6 begins
              // the target column holds the class names ("setosa", ...), not numbers
              Dataset.Split data =
                  Dataset.fromCsv(csv, "species").split(Dataset.readIndices(testRows));
              AutoFeatProcessor classifier =
                  AutoFeatProcessor.builder().problemType(ProblemType.CLASSIFICATION).build();
              try (MemoryManager memory = MemoryManager.builder().build();
                  MemoryScope scope = memory.openScope("iris");
                  AutoFeatModel model = classifier.fit(scope, data.train())) {
                System.out.println(model.classLabels() + ", accuracy " + model.score(data.test()));
                List<String> predicted = model.predictLabels(data.test()); // "setosa", ...
                model.save(modelFile); // AutoFeatModel.load(modelFile, scope) predicts the same
                // recipe 6 ends
                predictions.add(predicted);
                try (AutoFeatModel loaded = AutoFeatModel.load(modelFile, scope)) {
                  predictions.add(loaded.predictLabels(data.test()));
                }
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertThat(printed).contains("[setosa, versicolor, virginica], accuracy 1.0");
    assertThat(predictions.get(0)).hasSize(30).contains("setosa", "versicolor", "virginica");
    assertThat(predictions.get(1)).isEqualTo(predictions.get(0));
  }

  @Test
  void categoricalColumns_fitAndPredictNewRows(@TempDir Path dir) throws Exception {
    // the bundled grunfeld, its firms' 0/1 columns turned back into one column of names
    List<String> lines = Files.readAllLines(CORPUS.resolve("grunfeld.csv"));
    String[] header = lines.get(0).split(",");
    StringBuilder text = new StringBuilder("value,capital,firm,year,invest\n");
    StringBuilder unseen = new StringBuilder("value,capital,firm,year\n");
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      String firm = null;
      for (int j = 0; j < f.length; j++) {
        if (header[j].startsWith("firm_") && Double.parseDouble(f[j]) == 1) {
          firm = header[j].substring("firm_".length());
        }
      }
      text.append(String.join(",", f[0], f[1], firm, f[f.length - 2], f[f.length - 1]))
          .append('\n');
      if (unseen.length() < 200) {
        unseen.append(String.join(",", f[0], f[1], "Ford", f[f.length - 2])).append('\n');
      }
    }
    Path csv = Files.writeString(dir.resolve("grunfeld.csv"), text);
    Path newRows = Files.writeString(dir.resolve("new.csv"), unseen);
    Path testRows = CORPUS.resolve("grunfeld_seed0_test_idx.txt");
    Path predictions = dir.resolve("predicted.csv");
    String printed =
        stdout(
            () -> {
              // recipe 7 begins
              // "firm" holds names ("GeneralMotors", ...): one 0/1 column per firm
              Dataset.Split data =
                  Dataset.fromCsv(csv, "invest", List.of("firm"))
                      .split(Dataset.readIndices(testRows));
              try (MemoryManager memory = MemoryManager.builder().build();
                  MemoryScope scope = memory.openScope("grunfeld");
                  AutoFeatModel model =
                      AutoFeatProcessor.builder().build().fit(scope, data.train())) {
                System.out.println(
                    model.categories().columns() + ", R2 " + model.score(data.test()));
                // reads "firm" with the fit's firms: a firm it never saw is 0 in every firm column
                model.predictCsv(newRows, predictions, scope);
                // recipe 7 ends
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertThat(printed).startsWith("[firm], R2 0.9");
    List<String> predicted = Files.readAllLines(predictions);
    assertThat(predicted.get(0)).isEqualTo("value,capital,firm,year,prediction");
    assertThat(predicted).hasSize(unseen.toString().split("\n").length);
    for (String row : predicted.subList(1, predicted.size())) {
      assertThat(Double.parseDouble(row.substring(row.lastIndexOf(',') + 1))).isFinite();
    }
  }

  @Test
  void recipe8_unitsAndThePiTheorem(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    java.util.Random r = new java.util.Random(8);
    StringBuilder text = new StringBuilder("rho,v,D,mu,target\n");
    StringBuilder test = new StringBuilder();
    for (int i = 0; i < 600; i++) {
      double rho = 600 + 800 * r.nextDouble();
      double v = 0.2 + 2.8 * r.nextDouble();
      double d = 10 + 290 * r.nextDouble();
      double mu = 0.05 + 0.95 * r.nextDouble();
      double reynolds = rho * v * (d / 1000) / mu;
      text.append(rho).append(',').append(v).append(',').append(d).append(',').append(mu);
      text.append(',').append(0.002 * reynolds + 0.05 * r.nextGaussian()).append('\n');
      if (i % 5 == 0) {
        test.append(i).append('\n');
      }
    }
    Path csv = Files.writeString(dir.resolve("pipe.csv"), text);
    Path testRows = Files.writeString(dir.resolve("pipe_test_idx.txt"), test);
    String printed =
        stdout(
            () -> {
              // recipe 8 begins
              // each column's unit: no log of a length, no density plus a speed; the Pi theorem
              // adds the dimensionless rho*v*D/mu (a Reynolds number) as an input feature
              Dataset.Split data =
                  Dataset.fromCsv(csv, "target").split(Dataset.readIndices(testRows));
              AutoFeatProcessor processor =
                  AutoFeatProcessor.builder()
                      .units(Map.of("rho", "kg/m^3", "v", "m/s", "D", "mm", "mu", "Pa*s"))
                      .build();
              try (MemoryManager memory = MemoryManager.builder().build();
                  MemoryScope scope = memory.openScope("pipe");
                  AutoFeatModel model = processor.fit(scope, data.train())) {
                System.out.println(model.features() + ", R2 " + model.score(data.test()));
              }
              // recipe 8 ends
            });
    assertThat(printed).contains("rho*v*D/mu").contains(", R2 0.99");
  }

  @Test
  void recipesPage_showsExactlyTheseSnippets() throws Exception {
    String test =
        Files.readString(
            Path.of("src", "test", "java", "io", "memguard", "bench", "RecipesTest.java"));
    String page = normalize(Files.readString(Path.of("..", "docs", "recipes.md")));
    for (int i = 1; i <= 8; i++) {
      String from = "// recipe " + i + " begins\n";
      int start = test.indexOf(from) + from.length();
      String snippet = test.substring(start, test.indexOf("// recipe " + i + " ends", start));
      assertThat(page).as("recipe %d", i).contains(normalize(snippet));
    }
  }

  private static String stdout(Runnable r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setOut(saved);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String normalize(String code) {
    StringBuilder sb = new StringBuilder();
    for (String line : code.split("\n")) {
      if (!line.isBlank()) {
        sb.append(line.strip()).append('\n');
      }
    }
    return sb.toString();
  }
}
