package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code dashboard} scenario in a forked {@code -Xmx256m} JVM for 20 seconds: it prints its
 * address, the API and the metrics answer while the workload runs, and the summary shows fits,
 * tasks of every outcome, and the unreserved burst stopped by the guard.
 */
class DashboardScenarioIT {
  private static final Pattern URL = Pattern.compile("dashboard: (http://127\\.0\\.0\\.1:\\d+/)");

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void dashboardScenario_servesWhileTheWorkloadRuns_andTheGuardStopsTheBurst() throws Exception {
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                javaBin.toString(),
                "-Xmx256m",
                "-cp",
                ForkedWorkload.ownClassPath(),
                BenchMain.class.getName(),
                "dashboard",
                "--seconds",
                "20",
                "--period-ms",
                "250",
                "--fork-heap-mb",
                "0")
            .start();
    CompletableFuture<String> stdout =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    List<String> stderr = new ArrayList<>();
    URI url = null;
    BufferedReader err =
        new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
    String line;
    while (url == null && (line = err.readLine()) != null) {
      stderr.add(line);
      Matcher m = URL.matcher(line);
      if (m.find()) {
        url = URI.create(m.group(1));
      }
    }
    assertThat(url).as("the address on stderr: %s", stderr).isNotNull();
    CompletableFuture<Void> drain =
        CompletableFuture.runAsync(
            () -> {
              try {
                err.transferTo(java.io.Writer.nullWriter());
              } catch (java.io.IOException e) {
                // the process ended
              }
            });
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> snapshot =
        http.send(
            HttpRequest.newBuilder(url.resolve("/api/snapshot"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(snapshot.statusCode()).isEqualTo(200);
    assertThat(snapshot.body()).contains("\"manager\":\"dashboard-demo\"");
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(url.resolve("/metrics")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).contains("memguard_budget_bytes ");

    assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
    drain.get(10, TimeUnit.SECONDS);
    assertThat(p.exitValue()).isZero();
    String[] out = stdout.get(10, TimeUnit.SECONDS).strip().split("\n");
    Json.JsonObject r = Json.parse(out[out.length - 1]);
    System.err.println("result: " + out[out.length - 1]);
    assertThat(r.get("scenario")).isEqualTo("dashboard");
    assertThat(r.get("url")).isEqualTo(url.toString());
    assertThat(((Number) r.get("requests")).longValue()).isGreaterThanOrEqualTo(2);
    assertThat(((Number) r.get("eventsPushed")).longValue()).isGreaterThan(20);
    assertThat(((Number) r.get("fitsCompleted")).longValue()).isPositive();
    assertThat(((Number) r.get("tasksCompleted")).longValue()).isPositive();
    assertThat(((Number) r.get("tasksFailed")).longValue()).isPositive();
    assertThat((String) r.get("burstOutcome"))
        .startsWith("STOPPED: stopped by the emergency guard");
    assertThat(((Number) r.get("guardEmergencies")).longValue()).isPositive();
  }
}
