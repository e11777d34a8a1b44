package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a scenario through {@link BenchMain} as the jar would and parses its last stdout line. */
final class ScenarioRun {
  private ScenarioRun() {}

  static Json.JsonObject run(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // Progress (the forked JVM's stderr) goes to this JVM's stderr, visible in the failsafe report.
    int exit = BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertThat(exit).as("exit code of %s", String.join(" ", args)).isZero();
    String last = lines[lines.length - 1];
    System.err.println("result: " + last);
    return Json.parse(last);
  }
}
