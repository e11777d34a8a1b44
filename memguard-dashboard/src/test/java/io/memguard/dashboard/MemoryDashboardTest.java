package io.memguard.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Reservation;
import io.memguard.core.TaskRequest;
import io.memguard.monitor.AlertRule;
import io.memguard.monitor.MemoryMonitor;
import io.memguard.monitor.Metric;
import io.memguard.monitor.MonitorConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryDashboardTest {
  private static final String TOKEN = "s3cret-token-for-tests";
  private final HttpClient http = HttpClient.newHttpClient();
  private final MemoryManager manager =
      MemoryManager.builder().name("test").limit(MemorySize.ofMebibytes(64)).build();
  private final MemoryMonitor monitor =
      MemoryMonitor.manual(manager, MonitorConfig.builder().period(Duration.ofMillis(100)).build());

  @AfterEach
  void closeAll() {
    monitor.close();
    manager.close();
  }

  private HttpResponse<String> get(MemoryDashboard d, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(d.url().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void api_servesSnapshotHistoryScopesTasksAndFits_asJson() throws Exception {
    try (MemoryDashboard d = MemoryDashboard.start(monitor);
        MemoryScope features = manager.openScope("features");
        Reservation r = features.reserve(3 << 20)) {
      monitor.sampleNow();
      monitor.sampleNow();
      assertThat(d.url().getHost()).isEqualTo("127.0.0.1");

      HttpResponse<String> snap = get(d, "/api/snapshot");
      assertThat(snap.statusCode()).isEqualTo(200);
      assertThat(snap.headers().firstValue("Content-Type")).contains("application/json");
      assertThat(snap.body())
          .contains("\"available\":true")
          .contains("\"reservedBytes\":" + (3 << 20))
          .contains("\"budgetBytes\":" + (64 << 20))
          .contains("\"pressure\":\"NORMAL\"")
          .contains("\"metric\":\"heap.live\"")
          .contains("\"timeToExhaustionSeconds\":");

      HttpResponse<String> hist =
          get(d, "/api/history?metrics=memguard.reserved,heap.used&window=60");
      assertThat(hist.statusCode()).isEqualTo(200);
      assertThat(hist.body())
          .contains("\"metric\":\"memguard.reserved\"")
          .contains("\"metric\":\"heap.used\"")
          .containsPattern("\\[\\d{13},3145728\\]");
      assertThat(get(d, "/api/history?metrics=heap.nothing").statusCode()).isEqualTo(400);
      assertThat(get(d, "/api/history?window=0").statusCode()).isEqualTo(400);

      assertThat(get(d, "/api/scopes").body())
          .contains("\"path\":\"test/features\"")
          .contains("\"reservedBytes\":" + (3 << 20));

      manager.allocator().run(TaskRequest.named("nightly-batch").minBytes(1024), g -> 42);
      assertThat(get(d, "/api/tasks").body())
          .contains("\"task\":\"nightly-batch\"")
          .contains("\"status\":\"COMPLETED\"")
          .contains("\"COMPLETED\":1");

      try (MemoryScope fitScope = manager.openScope("fit");
          AutoFeatModel model =
              AutoFeatProcessor.builder()
                  .featureEngineeringSteps(1)
                  .featureSelectionRuns(1)
                  .listener(d.fitListener("tiny fit"))
                  .build()
                  .fit(fitScope, tiny())) {
        assertThat(model.report().completed()).isTrue();
      }
      assertThat(get(d, "/api/fits").body())
          .contains("\"name\":\"tiny fit\"")
          .contains("\"outcome\":\"completed\"")
          .contains("\"completed\":1");
      assertThat(get(d, "/api/leaks").body()).contains("\"state\":\"NONE\"");
      assertThat(get(d, "/api/guard").body()).contains("\"enabled\":");
    }
  }

  @Test
  void events_streamEachSampleAndAlert_andResumeAfterTheLastEventId() throws Exception {
    monitor
        .alerts()
        .addRule(AlertRule.builder("reserved-any").metric(Metric.RESERVED).above(0).build());
    try (MemoryDashboard d = MemoryDashboard.start(monitor);
        MemoryScope s = manager.openScope("s");
        Reservation r = s.reserve(1024)) {
      HttpRequest req = HttpRequest.newBuilder(d.url().resolve("/api/events")).build();
      HttpResponse<java.io.InputStream> resp =
          http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(resp.headers().firstValue("Content-Type"))
          .contains("text/event-stream; charset=utf-8");
      BufferedReader in =
          new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));
      await().atMost(Duration.ofSeconds(10)).until(() -> d.openStreams() == 1);
      monitor.sampleNow();
      List<String> lines =
          readUntil(
              in,
              l -> l.startsWith("data: {\"sequence\":"),
              l -> l.contains("\"rule\":\"reserved-any\""));
      assertThat(lines)
          .contains("event: sample")
          .anyMatch(l -> l.startsWith("data: {\"sequence\":"));
      assertThat(lines).anyMatch(l -> l.contains("\"rule\":\"reserved-any\""));
      long firstId =
          lines.stream()
              .filter(l -> l.startsWith("id: "))
              .mapToLong(l -> Long.parseLong(l.substring(4)))
              .min()
              .orElseThrow();
      in.close();

      HttpResponse<java.io.InputStream> again =
          http.send(
              HttpRequest.newBuilder(d.url().resolve("/api/events"))
                  .header("Last-Event-ID", Long.toString(firstId - 1))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      BufferedReader in2 =
          new BufferedReader(new InputStreamReader(again.body(), StandardCharsets.UTF_8));
      String first = "id: " + firstId;
      assertThat(readUntil(in2, first::equals)).contains(first);
      in2.close();

      // an id from a dashboard that ran before this one (a restart behind a fixed port): from the
      // start of what this one holds, not silence until its ids catch up
      HttpResponse<java.io.InputStream> restarted =
          http.send(
              HttpRequest.newBuilder(d.url().resolve("/api/events"))
                  .header("Last-Event-ID", "5000000")
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      BufferedReader in3 =
          new BufferedReader(new InputStreamReader(restarted.body(), StandardCharsets.UTF_8));
      assertThat(readUntil(in3, first::equals)).contains(first);
      in3.close();
      assertThat(d.eventsPushed()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void publishedEvents_fromOtherJvms_reachTheStreamAsExternalEvents() throws Exception {
    try (MemoryDashboard d = MemoryDashboard.start(monitor)) {
      HttpResponse<java.io.InputStream> resp =
          http.send(
              HttpRequest.newBuilder(d.url().resolve("/api/events")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      BufferedReader in =
          new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));
      await().atMost(Duration.ofSeconds(10)).until(() -> d.openStreams() == 1);
      d.publish("executor 3 guard", "EMERGENCY_ENTERED: heap live set at 96%", "{\"type\":\"x\"}");
      List<String> lines = readUntil(in, l -> l.contains("executor 3 guard"));
      assertThat(lines)
          .contains("event: external")
          .contains(
              "data: {\"source\":\"executor 3 guard\",\"summary\":\"EMERGENCY_ENTERED: heap"
                  + " live set at 96%\",\"data\":{\"type\":\"x\"}}");
      // pretty-printed JSON arrives as one data line, and cannot smuggle in an event of its own
      d.publish("executor 4", "pretty", "{\n  \"a\": 1\n}\n\nevent: alert\ndata: {}");
      List<String> more = readUntil(in, l -> l.contains("executor 4"));
      assertThat(more)
          .contains(
              "data: {\"source\":\"executor 4\",\"summary\":\"pretty\",\"data\":{   \"a\": 1 }"
                  + "  event: alert data: {}}")
          .doesNotContain("event: alert");
      in.close();
      assertThatThrownBy(() -> d.publish("x", "y", "not json"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("JSON object or array");
    }
  }

  /** Reads lines until each condition matched a line (10 s at most). */
  @SafeVarargs
  private static List<String> readUntil(
      BufferedReader in, java.util.function.Predicate<String>... wanted) throws Exception {
    List<String> lines = new ArrayList<>();
    List<java.util.function.Predicate<String>> missing = new ArrayList<>(List.of(wanted));
    CompletableFuture<Void> f =
        CompletableFuture.runAsync(
            () -> {
              try {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                  String l = line;
                  missing.removeIf(p -> p.test(l));
                  if (missing.isEmpty()) {
                    return;
                  }
                }
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    f.get(10, TimeUnit.SECONDS);
    return lines;
  }

  @Test
  void token_isRequiredWhenSet_asBearerHeaderOrQueryParameter() throws Exception {
    try (MemoryDashboard d =
        MemoryDashboard.start(monitor, DashboardConfig.builder().token(TOKEN).build())) {
      HttpResponse<String> none = get(d, "/api/snapshot");
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate"))
          .contains("Bearer realm=\"memguard\"");
      assertThat(get(d, "/?token=wrong-token-of-some-length").statusCode()).isEqualTo(401);
      assertThat(get(d, "/metrics").statusCode()).isEqualTo(401);
      assertThat(get(d, "/api/scopes?token=" + TOKEN).statusCode()).isEqualTo(200);
      HttpResponse<String> header =
          http.send(
              HttpRequest.newBuilder(d.url().resolve("/api/scopes"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(header.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void rollout_isShownToAll_andSwitchedOnlyWithTheToken() throws Exception {
    io.memguard.core.Rollout rollout = manager.rollout();
    rollout.record(
        io.memguard.core.Protection.HEAP_ADMISSION,
        io.memguard.core.ProtectionMode.OBSERVE,
        "job-7",
        "hold task 'job-7'");
    rollout.settle("job-7", io.memguard.core.Rollout.Outcome.OUT_OF_MEMORY);
    try (MemoryDashboard open = MemoryDashboard.start(monitor)) {
      assertThat(get(open, "/api/rollout").body())
          .contains("\"protection\":\"EMERGENCY_GUARD\",\"setting\":\"ENFORCE\"")
          .contains("\"observedOutcomes\":{\"OUT_OF_MEMORY\":1,\"UNSETTLED\":0}")
          .contains("\"key\":\"job-7\"")
          .contains("\"outcome\":\"OUT_OF_MEMORY\"");
      HttpResponse<String> refused =
          http.send(
              HttpRequest.newBuilder(
                      open.url().resolve("/api/rollout?protection=EMERGENCY_GUARD&setting=OBSERVE"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("needs a token");
    }
    try (MemoryDashboard d =
        MemoryDashboard.start(monitor, DashboardConfig.builder().token(TOKEN).build())) {
      HttpResponse<String> switched =
          http.send(
              HttpRequest.newBuilder(
                      d.url()
                          .resolve(
                              "/api/rollout?protection=emergency_guard&setting=ENFORCE:0.5&token="
                                  + TOKEN))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(switched.statusCode()).isEqualTo(200);
      assertThat(switched.body())
          .contains("\"setting\":\"ENFORCE:0.5\"")
          .contains("\"reason\":\"by the dashboard\"");
      assertThat(manager.rollout().setting(io.memguard.core.Protection.EMERGENCY_GUARD))
          .hasToString("ENFORCE:0.5");
      HttpResponse<String> bad =
          http.send(
              HttpRequest.newBuilder(
                      d.url().resolve("/api/rollout?protection=GUARD&setting=ON&token=" + TOKEN))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(get(d, "/metrics?token=" + TOKEN).body())
          .contains("memguard_rollout_mode{protection=\"emergency_guard\"} 2\n")
          .contains(
              "memguard_rollout_outcomes_total{protection=\"heap_admission\",mode=\"observe\","
                  + "outcome=\"out_of_memory\"} 1\n");
    }
  }

  @Test
  void bindingBeyondLoopback_withoutAToken_isRefused() {
    assertThatThrownBy(
            () ->
                MemoryDashboard.start(
                    monitor, DashboardConfig.builder().bindAddress("0.0.0.0").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a loopback address")
        .hasMessageContaining("token");
    assertThatThrownBy(() -> DashboardConfig.builder().token("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 16");
  }

  @Test
  void badPathsAndMethods_areAnsweredWithTheirStatus() throws Exception {
    try (MemoryDashboard d = MemoryDashboard.start(monitor)) {
      HttpResponse<String> missing = get(d, "/api/nothing");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.body()).contains("no such path: /api/nothing").contains("/api/snapshot");
      HttpResponse<String> post =
          http.send(
              HttpRequest.newBuilder(d.url().resolve("/api/snapshot"))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
      HttpResponse<String> page = get(d, "/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body())
          .contains("<canvas id=\"chart\"")
          .doesNotContain("src=\"http")
          .doesNotContain("href=\"http");
      assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
    }
  }

  @Test
  void metrics_followPrometheusTextFormat() throws Exception {
    try (MemoryDashboard d = MemoryDashboard.start(monitor);
        MemoryScope s = manager.openScope("s");
        Reservation r = s.reserve(4096)) {
      monitor.sampleNow();
      HttpResponse<String> m = get(d, "/metrics");
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.headers().firstValue("Content-Type"))
          .contains("text/plain; version=0.0.4; charset=utf-8");
      String body = m.body();
      assertThat(body)
          .contains("memguard_reserved_bytes 4096\n")
          .contains("memguard_budget_bytes " + (64 << 20) + "\n")
          .contains("memguard_pressure_level 0\n")
          .contains("memguard_leak_state{state=\"NONE\"} 1\n")
          .contains("memguard_allocator_tasks_ended_total{outcome=\"completed\"} 0\n")
          .containsPattern("memguard_live_heap_bytes -?\\d+\n");
      List<String> families = new ArrayList<>();
      for (String line : body.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          families.add(line.split(" ")[2]);
        } else if (!line.startsWith("# HELP ")) {
          assertThat(line)
              .matches(
                  "memguard_[a-z_]+(\\{[a-z]+=\"[a-z_A-Z]+\"(,[a-z]+=\"[a-z_A-Z]+\")*\\})?"
                      + " (-?[0-9.e+-]+|NaN)");
          String name = line.split("[{ ]")[0];
          assertThat(families).contains(name);
        }
      }
      assertThat(families).doesNotHaveDuplicates().allMatch(f -> f.matches("memguard_[a-z_]+"));
    }
  }

  @Test
  void close_stopsServingEndsStreamsAndIsIdempotent() throws Exception {
    MemoryDashboard d = MemoryDashboard.start(monitor);
    URI url = d.url();
    CompletableFuture<HttpResponse<String>> stream =
        http.sendAsync(
            HttpRequest.newBuilder(url.resolve("/api/events")).build(),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> d.openStreams() == 1);
    d.close();
    d.close();
    assertThat(stream.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(d.openStreams()).isZero();
    assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(url.resolve("/api/snapshot"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(ConnectException.class);
  }

  static Dataset tiny() {
    SplittableRandom rnd = new SplittableRandom(7);
    int n = 200;
    double[][] x = new double[2][n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[0][i] = 1 + rnd.nextDouble();
      x[1][i] = rnd.nextGaussian();
      y[i] = 3 * x[0][i] * x[0][i] - x[1][i] + 0.01 * rnd.nextGaussian();
    }
    return Dataset.of(List.of("a", "b"), x, y);
  }
}
