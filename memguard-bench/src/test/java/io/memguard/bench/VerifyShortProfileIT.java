package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code verify} scenario's short profile (issue 14, section 5), every check in a forked JVM of
 * its own: the six deliberate leaks found with their suspects and their fixes quiet, the stress
 * checks (largest data and beyond, fits back to back, reservations at the limit, a cgroup memory
 * limit where one can be made), eight concurrent fits and three competing JVMs, and fits on real
 * data. The Markdown report is kept in {@code target/verify-short.md}.
 */
class VerifyShortProfileIT {

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void everyCheckOfTheShortProfilePasses() throws Exception {
    Path report = Path.of("target", "verify-short.md");
    Json.JsonObject result = ScenarioRun.run("verify", "--markdown", report.toString());

    @SuppressWarnings("unchecked")
    List<Object> checks = (List<Object>) result.get("checks");
    List<String> names =
        checks.stream().map(c -> (String) ((Json.JsonObject) c).get("name")).toList();
    assertThat(names)
        .contains(
            "static-collection",
            "listener",
            "thread-local",
            "unclosed-scope",
            "strong-model-map",
            "dropped-reservation",
            "back-to-back-fits",
            "reservations-at-the-limit",
            "cgroup-memory-limit",
            "eight-concurrent-fits",
            "three-competing-jvms",
            "real-data-sets");
    List<String> failed =
        checks.stream()
            .map(c -> (Json.JsonObject) c)
            .filter(c -> c.get("passed") != Boolean.TRUE)
            .map(c -> c.get("name") + ": " + c.get("summary"))
            .toList();
    assertThat(failed).as("failed checks").isEmpty();
    assertThat(result.get("passed")).isEqualTo(Boolean.TRUE);
    assertThat(Files.readString(report)).contains("**PASSED**");
  }
}
